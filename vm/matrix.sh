#!/usr/bin/env bash
# vm/matrix.sh — every scenario on every kernel (run by `make vm-test`): boots VM_JOBS guests at
# a time, checks each result with vm/check.sh, prints a table kernel x scenario -> pass/FAIL and
# seconds, then per scenario whether every kernel raised the same alerts (rule_id, count), then
# the reasons of each failure. Exit 0 all passed and the same alerts everywhere; 1 otherwise; 77
# nothing could run (no QEMU, no kernel).
#
# Environment: VM_KERNELS (default "5.10 6.1 6.12 7.x"), VM_SCENARIOS (default every folder in
# vm/scenarios), VM_JOBS (default 2), VM_OUT (results, default $VM_WORK/matrix), VIGIL_STATIC
# (default build/vigil-static), VIGIL (for vigil test), those of vm/check.sh (VM_RULES,
# VM_ELASTIC_RULES) and of vm/boot.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # `make vm-test` runs it with sh
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
export VIGIL_STATIC=${VIGIL_STATIC:-$root/build/vigil-static}
export VIGIL=${VIGIL:-$root/build/vigil}
export VM_WORK=${VM_WORK:-$(dirname "$VIGIL_STATIC")/vm}
out=${VM_OUT:-$VM_WORK/matrix}
jobs=${VM_JOBS:-2}
read -r -a kernels <<<"${VM_KERNELS:-5.10 6.1 6.12 7.x}"
if [ -n "${VM_SCENARIOS:-}" ]; then
	read -r -a scenarios <<<"$VM_SCENARIOS"
else
	scenarios=()
	for d in "$here"/scenarios/*/; do
		[ -f "$d/run.sh" ] && scenarios+=("$(basename "$d")")
	done
fi
t0=$(date +%s.%N)

if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "matrix.sh: installing qemu-system-x86 busybox-static" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			qemu-system-x86 busybox-static >/dev/null 2>&1
	fi
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "matrix.sh: SKIP: qemu-system-x86_64 is not installed" >&2; exit 77; }
fi
if [ ! -x "$VIGIL_STATIC" ]; then
	echo "matrix.sh: no static vigil at $VIGIL_STATIC (make vm-test builds it)" >&2
	exit 2
fi

# Kernels (downloaded in parallel when missing); one that cannot be had is skipped, not failed.
"$here/kernels.sh" "${kernels[@]}" >/dev/null
have=()
for k in "${kernels[@]}"; do
	if [ -s "$("$here/kernels.sh" --list "$k" | awk '{ print $NF }')" ]; then
		have+=("$k")
	else
		echo "matrix.sh: kernel $k unavailable: skipped" >&2
	fi
done
[ ${#have[@]} -gt 0 ] || { echo "matrix.sh: SKIP: no kernel available" >&2; exit 77; }

# One initramfs per scenario, shared by every kernel.
rm -rf "$out"
mkdir -p "$out/initrd"
for s in "${scenarios[@]}"; do
	"$here/initramfs.sh" "$s" "$out/initrd/$s.gz" || { echo "matrix.sh: initramfs $s failed" >&2; exit 1; }
done

run_one() { # KERNEL SCENARIO: boot, check, write $out/K/S/status
	local k=$1 s=$2 d=$out/$1/$2 st=0 a b
	mkdir -p "$d"
	a=$(date +%s.%N)
	# boot.sh in the background, so that a TERM to this job reaches it (and it stops QEMU)
	VM_INITRD=$out/initrd/$s.gz "$here/boot.sh" "$k" "$s" "$d" > "$d/boot.log" 2>&1 &
	local bp=$!
	trap 'kill -TERM $bp 2>/dev/null; wait $bp; exit 130' TERM
	wait $bp || st=$?
	trap - TERM
	if [ $st = 0 ]; then
		"$here/check.sh" "$s" "$d" > "$d/check.txt" 2>&1 || st=1
	else
		{
			cat "$d/boot.log"
			grep -m 6 -E 'BUG|Oops|RIP:|Kernel panic' "$d/console.log" 2>/dev/null
		} > "$d/check.txt"
	fi
	b=$(date +%s.%N)
	printf '%s %s\n' "$st" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }')" > "$d/status"
}

# Longest kernels first keeps both slots busy until the end.
pairs=()
for k in 7.x 6.12 6.1 5.10 "${have[@]}"; do
	for h in "${have[@]}"; do
		[ "$h" = "$k" ] || continue
		case " ${pairs[*]} " in *" $k:"*) continue 2 ;; esac
		for s in "${scenarios[@]}"; do pairs+=("$k:$s"); done
	done
done
# Stopped (^C, CI timeout): stop the boots in flight (each boot.sh stops its QEMU).
trap 'kill -TERM $(jobs -p) 2>/dev/null; wait; exit 130' INT TERM
running=0
for p in "${pairs[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "${p%%:*}" "${p#*:}" &
	running=$((running + 1))
done
wait

# The table.
failed=0
w=12
for s in "${scenarios[@]}"; do [ ${#s} -gt $w ] && w=${#s}; done
printf '\n%-8s' kernel
for s in "${scenarios[@]}"; do printf "  %-${w}s" "$s"; done
printf '\n'
for k in "${kernels[@]}"; do
	printf '%-8s' "$k"
	for s in "${scenarios[@]}"; do
		if [ ! -f "$out/$k/$s/status" ]; then
			cell=skip
		else
			read -r st secs < "$out/$k/$s/status"
			case $st in
			0) cell="pass ${secs}s" ;;
			77) cell="skip" ;;
			*) cell="FAIL ${secs}s"; failed=$((failed + 1)) ;;
			esac
		fi
		printf "  %-${w}s" "$cell"
	done
	printf '\n'
done
t1=$(date +%s.%N)
total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
printf '\n%d runs, %d failed, %ss total (%s at a time); results in %s\n' \
	"${#pairs[@]}" "$failed" "$total" "$jobs" "$out"

# Issue 5, "the same scenario recorded on different kernels raises the same alerts": per
# scenario, the (rule_id, count) set of alerts.txt (written by check.sh from `vigil test -v`)
# must be the same on every kernel that ran.
differ=0
printf '\n'
for s in "${scenarios[@]}"; do
	ref="" refk="" same=yes why=""
	for k in "${have[@]}"; do
		f=$out/$k/$s/alerts.txt
		if [ ! -f "$f" ]; then
			same=no
			why="$why; $k: no alerts.txt (the run failed before the rule test)"
			continue
		fi
		if [ -z "$refk" ]; then
			ref=$f refk=$k
		elif ! cmp -s "$ref" "$f"; then
			same=no
			why="$why; $k differs from $refk: $(diff "$ref" "$f" | grep '^[<>]' | tr '\n' ' ')"
		fi
	done
	n=$([ -n "$ref" ] && wc -l < "$ref" || echo 0)
	printf '%-*s same alerts on all kernels: %s (%s rules alerting)%s\n' "$w" "$s" "$same" \
		"$n" "${why:+ -- ${why#; }}"
	[ $same = yes ] || differ=$((differ + 1))
done

for k in "${kernels[@]}"; do
	for s in "${scenarios[@]}"; do
		f=$out/$k/$s/status
		[ -f "$f" ] || continue
		read -r st _ < "$f"
		[ "$st" = 0 ] || [ "$st" = 77 ] || {
			echo
			echo "--- FAIL $k $s ($out/$k/$s):"
			head -n 40 "$out/$k/$s/check.txt"
		}
	done
done
[ $failed = 0 ] && [ $differ = 0 ]
