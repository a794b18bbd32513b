#!/bin/sh
# tests/vm/vm.t.sh — the VM harness in `make test`: one kernel (VM_TEST_KERNEL, default 5.10: the
# fastest to boot and the oldest, so the strictest verifier) with one scenario
# (VM_TEST_SCENARIO, default reverse-shell: five reverse shells, checked with `vigil test` against
# the bundled rule pack). Boots it in QEMU, records with the static vigil, checks the trace with
# vm/check.sh. `make vm-test` runs the whole matrix.
# SKIPs (with the reason) when QEMU cannot be installed or the kernel cannot be downloaded.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
k=${VM_TEST_KERNEL:-5.10}
s=${VM_TEST_SCENARIO:-reverse-shell}
name="vm-$k-$s"
failx() { # NAME FILE...: a FAIL line, then the details indented (tests/run.sh shows those)
	echo "FAIL $1"
	shift
	cat "$@" | sed 's/^/    /'
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1 || ! command -v zstd >/dev/null 2>&1 ||
	! /bin/busybox --list 2>/dev/null | grep -q '^nc$'; then
	sh tests/deps.sh all >/dev/null 2>&1
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	skip "$name" "qemu-system-x86_64 missing and could not be installed"
	exit 0
fi
if ! need_root; then
	skip "$name" "needs root (the guest initramfs has device nodes)"
	exit 0
fi

# The static vigil beside the tested one ($VIGIL is build/vigil under tests/run.sh).
b=$(dirname "$VIGIL")
case $b in "$VIGIL_SRCDIR"/*) b=${b#"$VIGIL_SRCDIR"/} ;; esac
if ! make -s -C "$VIGIL_SRCDIR" B="$b" "$b/vigil-static" >/tmp/vigil-vm-make.$$ 2>&1; then
	tail -n 5 /tmp/vigil-vm-make.$$ > /tmp/vigil-vm-make.$$.t
	failx "$name" /tmp/vigil-vm-make.$$.t
	rm -f /tmp/vigil-vm-make.$$ /tmp/vigil-vm-make.$$.t
	exit 0
fi
rm -f /tmp/vigil-vm-make.$$
VIGIL_STATIC=$(cd "$VIGIL_SRCDIR" && cd "$b" && pwd)/vigil-static
export VIGIL_STATIC

if ! vm/kernels.sh "$k" >/dev/null 2>&1; then
	skip "$name" "kernel $k could not be downloaded (vm/kernels.sh $k)"
	exit 0
fi

out=$(tmpdir vm)
vm/boot.sh "$k" "$s" "$out" >"$out/boot.log" 2>&1
st=$?
if [ $st = 77 ]; then
	skip "$name" "$(tail -n 1 "$out/boot.log")"
elif [ $st != 0 ]; then
	echo "results kept in $out" >> "$out/boot.log"
	failx "$name" "$out/boot.log"
elif vm/check.sh "$s" "$out" >"$out/check.txt" 2>&1; then
	pass "$name"
	rm -rf "$out"
else
	grep -v '^ok ' "$out/check.txt" | head -n 30 > "$out/check.short"
	echo "results kept in $out" >> "$out/check.short"
	failx "$name" "$out/check.short"
fi
exit 0
