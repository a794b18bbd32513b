#!/usr/bin/env bash
# vm/initramfs.sh SCENARIO OUT.cpio.gz — build the guest's initramfs: busybox-static with its
# applet symlinks, the static vigil as /bin/vigil, the scenario as /scenario, vm/helpers/* in
# /usr/local/bin, and vm/init.sh as /init (see there for what the guest does).
#
# SCENARIO is a folder (or a name under vm/scenarios/). Its files are copied to /scenario; each
# *.c in it is compiled on the host with `gcc -static` into /scenario/<name> (cached in $VM_WORK).
#
# The result is three concatenated cpio.gz archives (the kernel unpacks them in turn): busybox
# with its symlinks, and the static vigil, are cached in $VM_WORK/layers and packed again only
# when their binary changes; only the small scenario layer is packed on every call.
#
# Environment:
#   VIGIL_STATIC      the static vigil (default: build/vigil-static); "none": no sensor at all
#   VIGIL_SENSOR_CMD  the sensor command line in the guest (default: vigil record to
#                     /out/trace.ndjson with --ready-file /run/vigil.ready)
#   VM_WORK           cache for compiled helpers and layers (default: VIGIL_STATIC's dir + /vm)
#   VM_LO_ADDRS       addresses put on the guest's lo (default 203.0.113.7/32 198.51.100.7/32)
#   VM_READY_TIMEOUT, VM_SCENARIO_TIMEOUT, VM_STOP_TIMEOUT  guest-side bounds in seconds
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
scen=${1:?usage: initramfs.sh SCENARIO OUT.cpio.gz}
out=${2:?usage: initramfs.sh SCENARIO OUT.cpio.gz}
[ -d "$scen" ] || scen=$here/scenarios/$scen
[ -f "$scen/run.sh" ] || { echo "initramfs.sh: $scen/run.sh not found" >&2; exit 2; }
scen=$(cd "$scen" && pwd)
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

VIGIL_STATIC=${VIGIL_STATIC:-$root/build/vigil-static}
if [ "$VIGIL_STATIC" != none ] && [ ! -x "$VIGIL_STATIC" ]; then
	echo "initramfs.sh: no static vigil at $VIGIL_STATIC (make $VIGIL_STATIC)" >&2
	exit 2
fi
if [ "$VIGIL_STATIC" = none ]; then
	VM_WORK=${VM_WORK:-/tmp/vigil-vm-work}
else
	VM_WORK=${VM_WORK:-$(dirname "$VIGIL_STATIC")/vm}
fi
BUSYBOX=${BUSYBOX:-/bin/busybox}
if [ ! -x "$BUSYBOX" ] || ! "$BUSYBOX" --list >/dev/null 2>&1; then
	echo "initramfs.sh: busybox-static missing ($BUSYBOX)" >&2
	exit 77
fi
if LC_ALL=C readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'INTERP'; then
	echo "initramfs.sh: $BUSYBOX is not static (install busybox-static)" >&2
	exit 77
fi

# Helpers: compile each *.c once, again only when its source changes. vm/helpers/*.c go to the
# guest's /usr/local/bin (every scenario has them), the scenario's own *.c to /scenario.
compile() { # SRCDIR BINDIR
	local c bin
	mkdir -p "$2"
	for c in "$1"/*.c; do
		[ -e "$c" ] || continue
		bin=$2/$(basename "$c" .c)
		if [ ! -x "$bin" ] || [ "$c" -nt "$bin" ]; then
			gcc -static -O2 -s -Wall -Wextra -Werror -o "$bin.tmp$$" "$c" || exit 1
			mv "$bin.tmp$$" "$bin"
		fi
	done
}
name=$(basename "$scen")
hdir=$VM_WORK/helpers/$name
compile "$here/helpers" "$VM_WORK/helpers/common"
compile "$scen" "$hdir"

pack() { # DIR OUT: DIR's content as a newc cpio.gz
	(cd "$1" && find . | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) \
		> "$2.tmp$$"
	mv "$2.tmp$$" "$2"
}
stamp() { stat -c '%n %s %Y' "$@"; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/vigil-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$VM_WORK/layers"

# Layer 1: busybox, its applet symlinks, the directory skeleton.
base=$VM_WORK/layers/base.cpio.gz
want="$(stamp "$BUSYBOX" "$here/initramfs.sh")"
if [ ! -s "$base" ] || [ "$(cat "$base.stamp" 2>/dev/null)" != "$want" ]; then
	d=$stage/base
	mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,run,tmp,etc,root,out}
	cp "$BUSYBOX" "$d/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$d/bin/$a"
	done
	ln -s ../../bin/env "$d/usr/bin/env"
	# The kernel opens /dev/console for init before devtmpfs is mounted.
	mknod -m 600 "$d/dev/console" c 5 1 2>/dev/null || :
	mknod -m 666 "$d/dev/null" c 1 3 2>/dev/null || :
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' \
		> "$d/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$d/etc/group"
	printf '127.0.0.1 localhost\n' > "$d/etc/hosts"
	pack "$d" "$base"
	echo "$want" > "$base.stamp"
fi
layers=("$base")

# Layer 2: the static vigil.
sensor=""
if [ "$VIGIL_STATIC" != none ]; then
	sensor=${VIGIL_SENSOR_CMD:-/bin/vigil record -o /out/trace.ndjson --ready-file /run/vigil.ready}
	vl=$VM_WORK/layers/vigil.cpio.gz
	want="$(stamp "$VIGIL_STATIC")"
	if [ ! -s "$vl" ] || [ "$(cat "$vl.stamp" 2>/dev/null)" != "$want" ]; then
		mkdir -p "$stage/vigil/bin"
		cp "$VIGIL_STATIC" "$stage/vigil/bin/vigil"
		pack "$stage/vigil" "$vl"
		echo "$want" > "$vl.stamp"
	fi
	layers+=("$vl")
fi

# Layer 3: /init, its settings, the helpers and the scenario.
t=$stage/top
mkdir -p "$t/etc" "$t/scenario" "$t/usr/local/bin"
cp "$here/init.sh" "$t/init"
chmod 755 "$t/init"
for b in "$VM_WORK/helpers/common"/*; do
	if [ -e "$b" ]; then cp "$b" "$t/usr/local/bin/"; fi
done
{
	echo "SENSOR=\"$sensor\""
	echo "LO_ADDRS=\"${VM_LO_ADDRS:-203.0.113.7/32 198.51.100.7/32}\""
	echo "READY_TIMEOUT=${VM_READY_TIMEOUT:-60}"
	echo "SCENARIO_TIMEOUT=${VM_SCENARIO_TIMEOUT:-60}"
	echo "STOP_TIMEOUT=${VM_STOP_TIMEOUT:-20}"
} > "$t/etc/vigil-vm.conf"
cp -R "$scen/." "$t/scenario/"
rm -f "$t/scenario/"*.c
for b in "$hdir"/*; do
	if [ -e "$b" ]; then cp "$b" "$t/scenario/"; fi
done
chmod 755 "$t/scenario/run.sh"
pack "$t" "$stage/top.cpio.gz"

cat "${layers[@]}" "$stage/top.cpio.gz" > "$out.tmp"
mv "$out.tmp" "$out"
