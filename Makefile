# vigil — build, test, run, bench.
#
#   make            build build/vigil (BPF object embedded through a libbpf skeleton)
#   make run        build and start the live sensor with the bundled rules (root)
#   make test       build and run every test; last line "N passed, N failed, N skipped"
#   make bench      benchmarks, lines "BENCH <name> <value> <unit>"
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make deps       install missing Debian packages (done automatically)
#
# Quiet unless V=1.  Products go to build/.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

B        := build
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

WARN     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wimplicit-fallthrough -Wno-unused-parameter
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iuserspace -Ibpf -I$(B)/gen
LDLIBS   := -lbpf -lelf -lz -lcjson -lm
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Every userspace .c except main.c goes into the library the tests link.
LIB_SRCS  := $(sort $(shell find userspace -name '*.c' ! -name main.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(B)/asan/%.o)
HDRS      := $(shell find userspace bpf -name '*.h') $(B)/gen/vigil.skel.h

DEPS_STAMP := $(B)/.deps-ok

.PHONY: all run test test-unit bench fuzz deps clean vm-test
all: $(B)/vigil

# ---- dependencies -----------------------------------------------------------------------------
# Installed from Debian when missing; the stamp makes the check free after the first time.
$(DEPS_STAMP): tests/deps.sh
	$(Q)mkdir -p $(B)
	$(Q)sh tests/deps.sh build
	$(Q)touch $@

deps:
	$(Q)sh tests/deps.sh all

# ---- kernel side ------------------------------------------------------------------------------
$(B)/gen/vmlinux.h: | $(DEPS_STAMP)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(B)/bpf/vigil.bpf.o: bpf/vigil.bpf.c bpf/vigil_event.h bpf/vigil_task.h $(B)/gen/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		-I$(B)/gen -Ibpf -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(B)/gen/vigil.skel.h: $(B)/bpf/vigil.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vigil_bpf > $@

# ---- userspace --------------------------------------------------------------------------------
$(B)/obj/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(B)/asan/%.o: %.c $(HDRS) | $(DEPS_STAMP)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -O1 $(SANFLAGS) -c $< -o $@

$(B)/libvigil.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libvigil-asan.a: $(ASAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/vigil: $(B)/obj/userspace/main.o $(B)/libvigil.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vigil-asan: $(B)/asan/userspace/main.o $(B)/libvigil-asan.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests ------------------------------------------------------------------------------------
$(B)/tests/unit: $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(B)/libvigil.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $(UNIT_SRCS) $(B)/libvigil.a $(LDLIBS)

$(B)/tests/unit-asan: $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(B)/libvigil-asan.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -O1 $(SANFLAGS) -Itests/unit -o $@ $(UNIT_SRCS) $(B)/libvigil-asan.a $(LDLIBS)

TEST_BINS := $(B)/vigil $(B)/vigil-asan $(B)/tests/unit $(B)/tests/unit-asan

test: $(TEST_BINS)
	$(Q)sh tests/run.sh

test-unit: $(B)/tests/unit-asan
	$(Q)$(B)/tests/unit-asan $(T)

run: $(B)/vigil
	$(B)/vigil run

bench: $(B)/vigil
	$(Q)sh tests/bench/run.sh

FUZZ_SECONDS ?= 60
fuzz: | $(DEPS_STAMP)
	$(Q)sh tests/fuzz/run.sh $(FUZZ_SECONDS)

vm-test: $(B)/vigil
	$(Q)sh vm/matrix.sh

clean:
	rm -rf $(B)

# ---- vm: a static vigil for the VM initramfs (vm/ harness; section owned by vm/) --------------
# Linked statically with Debian's libbpf.a, libelf.a and libz.a. Debian's libcjson-dev ships no
# static library: when there is none, vm/cjson-static.sh builds one from the Debian source package.
CJSON_STATIC := $(or $(wildcard /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/libcjson.a),$(B)/vm/libcjson.a)

$(B)/vm/libcjson.a: | $(DEPS_STAMP)
	$(call msg,CJSON,$@)
	$(Q)bash vm/cjson-static.sh $@

$(B)/vigil-static: $(B)/obj/userspace/main.o $(B)/libvigil.a $(CJSON_STATIC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -static -s -o $@ $^ -lbpf -lelf -lz -lm

vm-test: $(B)/vigil-static
vm-test: export VIGIL := $(abspath $(B)/vigil)
vm-test: export VIGIL_STATIC := $(abspath $(B)/vigil-static)
# ---- end of vm section ------------------------------------------------------------------------
