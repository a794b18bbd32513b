#!/usr/bin/env bash
# vm/boot.sh KERNEL SCENARIO OUTDIR — boot one kernel with one scenario in QEMU and bring the
# guest's results out into OUTDIR:
#   trace.ndjson      what `vigil record` wrote in the guest
#   sensor.stderr     the sensor's stderr; sensor.rc its exit status ("killed" if SIGKILLed)
#   scenario.log      run.sh's output; scenario.rc its exit status
#   uname, cmdline, dmesg, init.log (guest-side timeline)
#   console.log       the guest console (host side), serial1.txt the raw result channel
#   boot.info         kernel, accelerator, attempts, seconds
#
# KERNEL is a short name known to vm/kernels.sh (5.10, 6.1, 6.12, 7.x; downloaded when missing)
# or a path to a bzImage. SCENARIO is a folder or a name under vm/scenarios/.
# QEMU uses KVM only when the CPU has vmx/svm and /dev/kvm opens; TCG otherwise.
# A boot that dies before the guest's /init started is retried (VM_BOOT_TRIES, default 3);
# once /init started, nothing is retried.
#
# Environment: VM_INIT_TIMEOUT (seconds until /init must have started, default 60; else the
# boot counts as an early death), VIGIL_STATIC (see initramfs.sh), VM_INITRD (a prebuilt initramfs: SCENARIO is
# then only a label), VM_CPU, VM_APPEND (more kernel arguments), VM_TIMEOUT (seconds per boot, default 120),
# VM_MEM (MiB, default 256), VM_ACCEL (tcg|kvm to force), VIGIL_VM_CACHE.
# Exit: 0 results decoded into OUTDIR; 1 the guest ran but no results came out (see
# OUTDIR/console.log); 2 usage; 77 QEMU or the kernel is unavailable.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 3 ]; then
	echo "usage: vm/boot.sh KERNEL SCENARIO OUTDIR" >&2
	exit 2
fi
kernel=$1 scen=$2 outdir=$3
tries=${VM_BOOT_TRIES:-3}
timeout_s=${VM_TIMEOUT:-120}
init_timeout=${VM_INIT_TIMEOUT:-60}

qemu=$(command -v qemu-system-x86_64) || {
	echo "boot.sh: qemu-system-x86_64 not found (apt-get install qemu-system-x86)" >&2
	exit 77
}
if [ -f "$kernel" ]; then
	vmlinuz=$kernel
else
	vmlinuz=$("$here/kernels.sh" --path "$kernel" 2>/dev/null | head -n1)
	if [ -z "$vmlinuz" ] || [ ! -s "$vmlinuz" ]; then
		echo "boot.sh: kernel $kernel is unavailable (vm/kernels.sh $kernel could not fetch it)" >&2
		exit 77
	fi
fi

accel=${VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo 2>/dev/null &&
		(exec 9<>/dev/kvm) 2>/dev/null; then
		accel=kvm
	fi
fi
# Under QEMU 7.2's TCG, kernels using cmpxchg16b (SLUB's per-cpu freelists; trixie's 6.12 above
# all) crashed in about 1 boot of 4 with corrupted EFLAGS (double faults in __kmalloc_noprof /
# kmem_cache_alloc_noprof, at the cmpxchg16b): 0 crashes in 12 boots without CX16.
if [ "$accel" = kvm ]; then cpu=host; else cpu=max,-cx16; fi
cpu=${VM_CPU:-$cpu}

mkdir -p "$outdir" || exit 2
outdir=$(cd "$outdir" && pwd)
# Only what this script and the guest write: callers may keep their own files here.
(cd "$outdir" && rm -f trace.ndjson sensor.* scenario.* init.log uname cmdline dmesg console.log \
	console.early-death.*.log serial1.txt boot.info test.toml)
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-boot.XXXXXX")
qpid=
trap 'rm -rf "$work"' EXIT
trap '[ -n "$qpid" ] && kill -TERM $qpid 2>/dev/null; exit 130' INT TERM

initrd=${VM_INITRD:-}
if [ -z "$initrd" ]; then
	initrd=$work/initrd.gz
	st=0
	"$here/initramfs.sh" "$scen" "$initrd" || st=$?
	if [ $st -ne 0 ]; then
		[ $st = 77 ] && exit 77
		echo "boot.sh: building the initramfs failed" >&2
		exit 1
	fi
fi

# Under TCG on a loaded host the guest's TSC calibration against the PIT can be off by 80x
# (seen: "tsc: Detected 33.735 MHz" on a 2.6 GHz host), and the guest clock then runs that much
# fast: timeouts fire early, timestamps are wrong. Keep time on the HPET instead. Also keep the
# lockup and stall detectors quiet, and skip the crypto self-tests (slow under emulation).
# no_timer_check: the IO-APIC timer check panicked a boot on a loaded host ("IO-APIC + timer
# doesn't work!").
cmdline_extra="clocksource=hpet tsc=unstable no_timer_check nowatchdog nmi_watchdog=0"
cmdline_extra="$cmdline_extra rcupdate.rcu_cpu_stall_suppress=1 cryptomgr.notests ${VM_APPEND:-}"

start=$(date +%s.%N)
attempt=0 result=noinit
while [ $attempt -lt "$tries" ]; do
	attempt=$((attempt + 1))
	: > "$outdir/serial1.txt"
	# In the background so that a signal to this script stops QEMU too (see the trap).
	timeout --kill-after=5 "$timeout_s" "$qemu" -accel "$accel" -nodefaults -no-user-config \
		-display none -no-reboot -m "${VM_MEM:-256}" -smp 1 -cpu "$cpu" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 oops=panic mitigations=off rdinit=/init $cmdline_extra" \
		-serial stdio -serial "file:$outdir/serial1.txt" \
		< /dev/null > "$outdir/console.log" 2>&1 &
	qpid=$!
	# A guest that hangs before /init (seen with early-boot trouble under TCG) is stopped after
	# VM_INIT_TIMEOUT seconds and retried, instead of waiting for the whole VM_TIMEOUT.
	waited=0
	while kill -0 $qpid 2>/dev/null && [ $waited -lt $((init_timeout * 4)) ] &&
		! grep -q 'VIGIL-VM: init started' "$outdir/console.log"; do
		sleep 0.25
		waited=$((waited + 1))
	done
	if ! grep -q 'VIGIL-VM: init started' "$outdir/console.log" && kill -0 $qpid 2>/dev/null; then
		echo "boot.sh: $kernel: no /init after ${init_timeout}s: stopping this boot" >&2
		kill -TERM $qpid 2>/dev/null
	fi
	wait $qpid
	qst=$?
	qpid=
	if grep -q 'VIGIL-VM-RESULTS-END' "$outdir/serial1.txt"; then
		result=ok
		break
	fi
	if grep -q 'VIGIL-VM: init started' "$outdir/console.log"; then
		# The scenario may have run: never retry, report.
		if [ $qst = 124 ] || [ $qst = 137 ]; then result=timeout; else result=noresults; fi
		break
	fi
	echo "boot.sh: $kernel: boot $attempt died before /init (qemu status $qst); $(
		grep -m1 -E 'Kernel panic|BUG:|Oops' "$outdir/console.log" || echo 'no panic line')" >&2
	cp "$outdir/console.log" "$outdir/console.early-death.$attempt.log"
done
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

{
	echo "kernel=$kernel"
	echo "image=$vmlinuz"
	echo "scenario=$scen"
	echo "accel=$accel"
	echo "attempts=$attempt"
	echo "result=$result"
	echo "seconds=$secs"
} > "$outdir/boot.info"

case $result in
ok)
	sed -n '/^VIGIL-VM-RESULTS-BEGIN/,/^VIGIL-VM-RESULTS-END/p' "$outdir/serial1.txt" |
		sed '1d;$d' | tr -d '\r' | base64 -d 2>/dev/null | tar -xzf - -C "$outdir" || {
		echo "boot.sh: $kernel: the results could not be decoded (see $outdir/serial1.txt)" >&2
		exit 1
	}
	exit 0
	;;
noinit)
	echo "boot.sh: $kernel: $attempt boots died before /init; see $outdir/console.log" >&2
	exit 1
	;;
timeout)
	echo "boot.sh: $kernel: timed out after ${timeout_s}s with no results; see $outdir/console.log" >&2
	exit 1
	;;
*)
	echo "boot.sh: $kernel: the guest ran but sent no results; see $outdir/console.log" >&2
	exit 1
	;;
esac
