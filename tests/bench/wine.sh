#!/bin/sh
# tests/bench/wine.sh VIGIL — the cost of the Wine attribution hooks (sys_enter_read/write/
# writev fire on every read and write of the machine) on a read/write-heavy workload: 1 GiB
# through a pipe in 4 KiB writes (dd | cat: per block dd reads and writes, cat reads and
# writes). CPU time (user + system: the hooks run in the syscalls' context) rather than wall
# time, which other work on the machine disturbs more. Three configurations, BENCH_WINE_RUNS
# runs each (default 5), the median kept:
#   none     no sensor (measured before and after the two below: the median of both)
#   idle     `vigil record` of the whole machine, no wineserver running (hooks exit on a .bss
#            counter)
#   server   the same with one idle wineserver (hooks do one map lookup per read/write)
# Prints CPU seconds per configuration and the ratios to no sensor, and the hooks' own cost per
# call (kernel.bpf_stats_enabled, on for the measurement: run_time_ns / run_cnt of this
# sensor's handle_read and handle_write). Needs root; SKIPs otherwise. Another sensor running on
# the machine makes "no sensor" a misnomer: the per-call numbers are the robust ones.
set -eu
VIGIL=${1:-build/vigil}
runs=${BENCH_WINE_RUNS:-5}
if [ "$(id -u)" != 0 ]; then echo "SKIP bench_wine: needs root"; exit 0; fi
d=$(mktemp -d /tmp/vigil-bench-wine.XXXXXX)
vp=""
stats0=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	sysctl -q -w kernel.bpf_stats_enabled="$stats0" 2>/dev/null || true
	[ -n "$vp" ] && kill "$vp" 2>/dev/null && wait "$vp" 2>/dev/null
	if command -v wineserver >/dev/null 2>&1; then WINEPREFIX="$d/pfx" wineserver -k 2>/dev/null || true; fi
	rm -rf "$d"
}
trap cleanup EXIT

once() { # CPU seconds (user + system, where the hooks run) of one run of the workload
	/usr/bin/python3 -c '
import resource, subprocess
subprocess.run("dd if=/dev/zero bs=4k count=262144 status=none | cat >/dev/null", shell=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.6f" % (r.ru_utime + r.ru_stime))'
}
runs_of() { # $runs runs, one CPU time a line
	i=0
	while [ $i -lt "$runs" ]; do once; i=$((i + 1)); done
}
median() { # of $runs runs
	runs_of | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}
prog_ids() { # ids of the loaded programs called $1
	bpftool -j prog show 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin) if p.get("name") == sys.argv[1]))' "$1"
}
hookstat() { # "run_time_ns run_cnt" summed over program ids $@
	for id in "$@"; do bpftool -j prog show id "$id"; echo; done | /usr/bin/python3 -c '
import json, sys
t = c = 0
for l in sys.stdin:
    if l.strip():
        p = json.loads(l); t += p.get("run_time_ns", 0); c += p.get("run_cnt", 0)
print(t, c)'
}
# ns per call of programs $2... over one run of the workload, as "BENCH $1 ..."
percall() {
	name=$1
	shift
	[ $# -gt 0 ] || return 0
	a=$(hookstat "$@")
	once >/dev/null
	b=$(hookstat "$@")
	echo "$a $b" | awk -v n="$name" '{ c = $4 - $2; if (c > 0) printf "BENCH %s %.1f ns/call\n", n, ($3 - $1) / c }'
}
start_sensor() {
	rm -f "$d/ready"
	"$VIGIL" record -o /dev/null --ready-file "$d/ready" 2>"$d/vigil.err" &
	vp=$!
	i=0
	while [ ! -e "$d/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$d/ready" ] || { echo "SKIP bench_wine: vigil record did not start: $(cat "$d/vigil.err")"; exit 0; }
}

# no sensor: before and again after the sensor runs (A-B-A), the median of both
none_runs=$(runs_of)
before_r=" $(prog_ids handle_read) " before_w=" $(prog_ids handle_write) "
start_sensor
mine() { for id in $(prog_ids "$1"); do case "$2" in *" $id "*) ;; *) echo "$id" ;; esac; done; }
rids=$(mine handle_read "$before_r")
wids=$(mine handle_write "$before_w")
idle=$(median)
sysctl -q -w kernel.bpf_stats_enabled=1 2>/dev/null || true
# shellcheck disable=SC2086
percall wine_hook_read_no_wineserver $rids
# shellcheck disable=SC2086
percall wine_hook_write_no_wineserver $wids
sysctl -q -w kernel.bpf_stats_enabled="$stats0" 2>/dev/null || true
if command -v wineserver >/dev/null 2>&1; then
	mkdir -p "$d/pfx"
	WINEPREFIX="$d/pfx" wineserver -p # persistent, idle; started after the sensor saw nothing
	sleep 0.5
	server=$(median)
	sysctl -q -w kernel.bpf_stats_enabled=1 2>/dev/null || true
	# shellcheck disable=SC2086
	percall wine_hook_read_idle_wineserver $rids
	# shellcheck disable=SC2086
	percall wine_hook_write_idle_wineserver $wids
	sysctl -q -w kernel.bpf_stats_enabled="$stats0" 2>/dev/null || true
	WINEPREFIX="$d/pfx" wineserver -k 2>/dev/null || true
else
	server=""
fi
kill "$vp" && wait "$vp" 2>/dev/null || true
vp=""
none_runs="$none_runs
$(runs_of)"
none=$(echo "$none_runs" | sort -n | sed -n "$runs"p)
awk -v n="$none" -v i="$idle" -v s="$server" 'BEGIN {
	printf "BENCH wine_pipe_1g_no_sensor %.3f cpu_s\n", n
	printf "BENCH wine_pipe_1g_sensor_no_wineserver %.3f cpu_s\n", i
	printf "BENCH wine_pipe_1g_ratio_no_wineserver %.3f x\n", i / n
	if (s != "") {
		printf "BENCH wine_pipe_1g_sensor_idle_wineserver %.3f cpu_s\n", s
		printf "BENCH wine_pipe_1g_ratio_idle_wineserver %.3f x\n", s / n
	}
}'
