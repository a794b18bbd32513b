#!/bin/sh
# tests/bench/sensor.sh — sensor overhead, CPU, memory, drops and alert latency (issue 7).
# Run by `make bench` (tests/bench/run.sh); alone: `sh tests/bench/sensor.sh` from the top
# (B=build, VIGIL=$B/vigil). Needs root (BPF). Prints "BENCH <name> <value> <unit>" lines.
#
# Every workload runs without and with `vigil run --rules rules/ --mappings mappings/` (the
# bundled rule pack and Windows views, as `make run` would find them beside build/vigil; its
# output goes to /dev/null), interleaved, the order alternating per round; BENCH lines give the
# medians and the median of the per-round with/without ratios. The sensor's CPU time comes from
# /proc/PID/stat (utime+stime) around the workload, its event and drop counts from the summary
# it prints on stderr at exit.
#
# Knobs (environment): BENCH_SENSOR_ROUNDS (7), BENCH_SENSOR_EXECS
# (5000), BENCH_SENSOR_CONNECTS (100000), BENCH_SENSOR_UNITS (200 C files),
# BENCH_SENSOR_BUILD_ROUNDS (5: the build's few per cent need them), BENCH_SENSOR_RATE
# (1600 execs/s) for BENCH_SENSOR_SECS (10 s), BENCH_SENSOR_ONLY (space-separated subset of:
# exec connect build maxrate exact rate latency).
set -u
cd "$(dirname "$0")/../.."
B=${B:-build}
VIGIL=${VIGIL:-$B/vigil}
CC=${CC:-cc}
ROUNDS=${BENCH_SENSOR_ROUNDS:-7}
BUILD_ROUNDS=${BENCH_SENSOR_BUILD_ROUNDS:-5}
EXECS=${BENCH_SENSOR_EXECS:-5000}
CONNECTS=${BENCH_SENSOR_CONNECTS:-100000}
UNITS=${BENCH_SENSOR_UNITS:-200}
RATE=${BENCH_SENSOR_RATE:-1600}
SECS=${BENCH_SENSOR_SECS:-10}
ONLY=${BENCH_SENSOR_ONLY:-exec connect build maxrate exact rate latency}
HZ=$(getconf CLK_TCK)

if [ "$(id -u)" != 0 ]; then
	echo "SKIP bench_sensor: needs root to load the BPF programs"
	exit 0
fi
if [ ! -x "$VIGIL" ]; then
	echo "SKIP bench_sensor: no $VIGIL (make B=$B first)"
	exit 0
fi

D=$B/bench/sensor
mkdir -p "$D/bin"
CF="-O2 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE"
$CC $CF -static -o "$D/true" tests/bench/sensor_true.c || exit 1
cp "$D/true" "$D/bin/sh" # named sh for the latency trigger (a bundled rule watches shells)
for p in sensor_exec sensor_connect sensor_latency; do
	$CC $CF -o "$D/$p" "tests/bench/$p.c" || exit 1
done
TRUE=$(cd "$D" && pwd)/true

work=$(mktemp -d /tmp/vigil-bench-sensor.XXXXXX)
VPID= VJOB= # vigil's pid (from its ready file) and the shell job that runs it
SENSOR_ARGS= # extra options for vigil run (one benchmark variant)
cleanup() {
	if [ -n "$VPID" ]; then
		kill -CONT "$VPID" 2>/dev/null
		kill -INT "$VPID" 2>/dev/null
		wait "$VJOB" 2>/dev/null
	fi
	[ -n "${stats_was:-}" ] && sysctl -q kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bench() { echo "BENCH $1 $2 $3"; }
has() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- sensor control ----
# sensor_start [VIGIL ARGS...]: vigil run with the bundled rules in the background, output to
# /dev/null, stderr to $work/err; waits for its ready file. Sets VPID and VJOB.
sensor_start() {
	rm -f "$work/ready"
	"$VIGIL" run --rules rules/ --mappings mappings/ --ready-file "$work/ready" $SENSOR_ARGS "$@" \
		>/dev/null 2>"$work/err" &
	VJOB=$!
	wait_ready run
}
# wait_ready WHAT: until vigil has written its pid to the ready file (at most 60 s)
wait_ready() {
	i=0
	while [ ! -s "$work/ready" ]; do
		if ! kill -0 "$VJOB" 2>/dev/null || [ $i -ge 600 ]; then
			echo "bench_sensor: vigil $1 did not start: $(tail -n 3 "$work/err")" >&2
			VJOB=
			exit 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	VPID=$(cat "$work/ready")
}
sensor_stop() {
	kill -INT "$VPID"
	wait "$VJOB"
	VPID= VJOB=
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$VPID/stat"; } # comm "vigil" has no spaces
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$VPID/status"; }
# from the stderr summary of the last run
events_seen() { sed -n 's/^vigil: \([0-9]*\) events in.*/\1/p' "$work/err"; }
drops_line() { grep '^vigil: drops' "$work/err" | sed 's/^vigil: drops //'; }
drops_total() { drops_line | tr ' ' '\n' | awk -F= '{ s += $2 } END { print s + 0 }'; }
drops_of() { drops_line | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 + 0 }'; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
now_s() { date +%s.%N; }

peak_kb=0
note_hwm() { h=$(hwm_kb); [ "${h:-0}" -gt "$peak_kb" ] && peak_kb=$h; }

# ab NAME ROUNDS CMD...: run CMD (which prints "... wall SECONDS ... cpu SECONDS ...": its wall
# time and its own CPU time, descendants and BPF programs run in its context included) without
# and with the sensor, interleaved. Per round, into $work/NAME.*: wall off/on, the wall ratio,
# the CPU ratio ((workload CPU with + sensor CPU) / workload CPU without: what the machine pays,
# less sensitive than wall time to whatever else runs here), the sensor's CPU per 1,000 events.
ab() {
	name=$1 rounds=$2
	shift 2
	for x in off on ratio cpuratio cpu1k; do : >"$work/$name.$x"; done
	r=1
	while [ $r -le "$rounds" ]; do
		if [ $((r % 2)) = 1 ]; then order="off on"; else order="on off"; fi
		for mode in $order; do
			if [ $mode = on ]; then
				sensor_start
				c0=$(cpu_ticks)
			fi
			"$@" >"$work/run.out" || echo "bench_sensor: $name failed: $(cat "$work/run.out")" >&2
			field wall <"$work/run.out" >>"$work/$name.$mode"
			eval "cpu_$mode=\$(field cpu <\"\$work/run.out\")"
			if [ $mode = on ]; then
				sleep 0.5 # let the sensor finish the backlog
				c1=$(cpu_ticks)
				note_hwm
				sensor_stop
				sens=$(echo "$c0 $c1 $HZ" | awk '{ print ($2 - $1) / $3 }')
				ev=$(events_seen)
				[ "${ev:-0}" -gt 0 ] && echo "$sens $ev" | awk '{ print $1 * 1000 / $2 * 1000 }' >>"$work/$name.cpu1k"
				d=$(drops_total)
				[ "$d" != 0 ] && echo "bench_sensor: $name round $r: drops $(drops_line)" >&2
			fi
		done
		off=$(tail -n 1 "$work/$name.off") on=$(tail -n 1 "$work/$name.on")
		echo "$on $off" | awk '{ print $1 / $2 }' >>"$work/$name.ratio"
		echo "$cpu_on $sens $cpu_off" | awk '{ print ($1 + $2) / $3 }' >>"$work/$name.cpuratio"
		r=$((r + 1))
	done
}

# report NAME COUNT UNIT: medians of an ab run as BENCH lines
report() {
	name=$1 count=$2 unit=$3
	off=$(median <"$work/$name.off") on=$(median <"$work/$name.on") ratio=$(median <"$work/$name.ratio")
	bench "sensor_${name}_wall_off" "$off" s
	bench "sensor_${name}_wall_on" "$on" s
	if [ -n "$unit" ]; then
		bench "sensor_${name}_rate_off" "$(echo "$count $off" | awk '{ printf "%.0f", $1 / $2 }')" "$unit"
		bench "sensor_${name}_rate_on" "$(echo "$count $on" | awk '{ printf "%.0f", $1 / $2 }')" "$unit"
	fi
	bench "sensor_${name}_ratio" "$ratio" x
	bench "sensor_${name}_overhead" "$(echo "$ratio" | awk '{ printf "%.1f", ($1 - 1) * 100 }')" %
	bench "sensor_${name}_cpu_ratio" "$(median <"$work/$name.cpuratio" | awk '{ printf "%.3f", $1 }')" x
	# (per event only where the workload makes the events: not when they are filtered out)
	case $name in *ignore*) return 0 ;; esac
	[ -s "$work/$name.cpu1k" ] && bench "sensor_${name}_cpu_per_1k_events" "$(median <"$work/$name.cpu1k" | awk '{ printf "%.2f", $1 }')" ms
}

bpf_ns() { # total run_time_ns of the BPF programs vigil $1 holds (prog ids from its fdinfo)
	bpftool -j prog show 2>/dev/null | python3 -c '
import json, os, sys
pid = sys.argv[1]; ids = set()
for fd in os.listdir(f"/proc/{pid}/fd"):
    try:
        if os.readlink(f"/proc/{pid}/fd/{fd}") != "anon_inode:bpf-prog":
            continue
        for line in open(f"/proc/{pid}/fdinfo/{fd}"):
            if line.startswith("prog_id:"):
                ids.add(int(line.split()[1]))
    except OSError:
        pass
print(sum(p.get("run_time_ns", 0) for p in json.load(sys.stdin) if p["id"] in ids))' "$1"
}

bench sensor_machine_cpus "$(nproc)" cores
bench sensor_machine_load "$(cut -d' ' -f1 /proc/loadavg)" loadavg

# ---- exec storm: N fork+exec+wait of a static trivial program, 2 workers ----
if has exec; then
	ab exec "$ROUNDS" "$D/sensor_exec" -n "$EXECS" -j 2 "$TRUE"
	report exec "$EXECS" execs/s
fi

# ---- connect storm: N refused connects to a closed loopback port ----
if has connect; then
	ab connect "$ROUNDS" "$D/sensor_connect" -n "$CONNECTS"
	report connect "$CONNECTS" connects/s
	# the same with loopback connects filtered in the kernel (no bundled rule looks at them)
	SENSOR_ARGS=--ignore-loopback
	ab connect_ignore_loopback "$ROUNDS" "$D/sensor_connect" -n "$CONNECTS"
	SENSOR_ARGS=
	report connect_ignore_loopback "$CONNECTS" connects/s
	# the BPF programs' own time per connect: run in the connecting thread, it is the part of
	# the overhead that no tuning of the reader removes
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	sensor_start
	b0=$(bpf_ns "$VPID")
	"$D/sensor_connect" -n "$CONNECTS" >/dev/null
	b1=$(bpf_ns "$VPID")
	sensor_stop
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	stats_was=
	bench sensor_connect_bpf_ns_per_connect "$(echo "$b0 $b1 $CONNECTS" | awk '{ printf "%.0f", ($2 - $1) / $3 }')" ns
fi

# ---- a real build: generated C project, make -j2 ----
build_once() {
	make -s -C "$work/proj" clean >/dev/null
	/usr/bin/time -f "wall %e cpu %U %S" -o "$work/time.out" make -s -C "$work/proj" -j2 >/dev/null || return 1
	awk '{ print $1, $2, $3, $4 + $5 }' "$work/time.out"
}
if has build; then
	sh tests/bench/sensor_gen.sh "$work/proj" "$UNITS"
	ab build "$BUILD_ROUNDS" build_once
	report build "" ""
fi

# ---- the highest exec rate here, and the drops at that rate ----
if has maxrate; then
	best=0 bestj=2
	for j in 2 4 8; do
		rate=$("$D/sensor_exec" -n "$EXECS" -j $j "$TRUE" | field rate)
		if [ "$(echo "$rate $best" | awk '{ print ($1 > $2) }')" = 1 ]; then best=$rate bestj=$j; fi
	done
	bench sensor_maxrate_off "$best" execs/s
	bench sensor_maxrate_workers "$bestj" workers
	sensor_start
	"$D/sensor_exec" -n $((EXECS * 2)) -j "$bestj" "$TRUE" >"$work/run.out"
	sleep 0.5
	note_hwm
	sensor_stop
	bench sensor_maxrate_on "$(field rate <"$work/run.out")" execs/s
	bench sensor_maxrate_drops "$(drops_total)" records
fi

# ---- exact drop count: a 1 MiB ring buffer, the consumer stopped for 2 s mid-storm ----
# `vigil record -- driver` follows only the driver's tree, so every record has a known origin:
# exec: N children + the driver itself; fork: N children + J workers; exit: all of those.
if has exact; then
	n=$((EXECS * 2)) j=4
	rm -f "$work/ready"
	"$VIGIL" record --ringbuf-mb 1 --ready-file "$work/ready" -o "$work/exact.ndjson" -- \
		"$D/sensor_exec" -n $n -j $j "$TRUE" >"$work/exact.out" 2>"$work/err" &
	VJOB=$!
	wait_ready record
	sleep 0.2
	kill -STOP "$VPID"
	sleep 2
	kill -CONT "$VPID"
	wait "$VJOB"
	VPID= VJOB=
	execs=$(field execs <"$work/exact.out")
	ok=1
	for k in exec fork exit; do
		got=$(grep -c "\"action\":\"$( [ $k = exit ] && echo end || echo $k)\"" "$work/exact.ndjson")
		d=$(drops_of $k)
		case $k in
		exec) want=$((execs + 1)) ;;
		fork) want=$((execs + j)) ;;
		exit) want=$((execs + j + 1)) ;;
		esac
		bench "sensor_exact_${k}_received" "$got" records
		bench "sensor_exact_${k}_dropped" "${d:-?}" records
		bench "sensor_exact_${k}_expected" "$want" records
		[ "$((got + ${d:-0}))" = "$want" ] || ok=0
	done
	bench sensor_drops_exact "$ok" bool
fi

# ---- sensor CPU at RATE execs/s for SECS seconds (and the BPF programs' own run time) ----
if has rate; then
	"$D/sensor_exec" -r "$RATE" -t "$SECS" -j 4 "$TRUE" >"$work/run.out"
	bench sensor_rate_achieved_off "$(field rate <"$work/run.out")" execs/s
	stats_was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	sensor_start
	c0=$(cpu_ticks) b0=$(bpf_ns "$VPID") t0=$(now_s)
	"$D/sensor_exec" -r "$RATE" -t "$SECS" -j 4 "$TRUE" >"$work/run.out"
	c1=$(cpu_ticks) b1=$(bpf_ns "$VPID") t1=$(now_s)
	note_hwm
	sensor_stop
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	stats_was=
	bench sensor_rate_achieved_on "$(field rate <"$work/run.out")" execs/s
	bench sensor_rate_cpu "$(echo "$c0 $c1 $t0 $t1 $HZ" | awk '{ printf "%.2f", ($2 - $1) / $5 / ($4 - $3) * 100 }')" "%_of_one_core"
	bench sensor_rate_bpf_cpu "$(echo "$b0 $b1 $t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 / ($4 - $3) * 100 }')" "%_of_one_core"
	bench sensor_rate_drops "$(drops_total)" records
fi

# ---- alert latency: triggers 100/s for 5 s, alert line read minus its @timestamp ----
if has latency; then
	rm -f "$work/ready"
	"$VIGIL" run --rules rules/ --mappings mappings/ --ready-file "$work/ready" 2>"$work/err" |
		"$D/sensor_latency" -f "$work/ready" -r 100 -t 5 "$D/bin/sh"
fi

[ "$peak_kb" -gt 0 ] && bench sensor_peak_rss "$(echo "$peak_kb" | awk '{ printf "%.1f", $1 / 1024 }')" MB
exit 0
