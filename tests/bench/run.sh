#!/bin/sh
# tests/bench/run.sh — `make bench`: every benchmark, one section each, printing
# "BENCH <name> <value> <unit>" lines. Each section builds its program against $B/libvigil.a
# (B=build unless set; `make bench` builds it first) and runs it. Add sections at the end.
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
CC=${CC:-cc}
BCFLAGS="-O2 -g -std=gnu11 -D_GNU_SOURCE -Iuserspace -Ibpf"
LIBS="$B/libvigil.a -lbpf -lelf -lz -lcjson -lm"
mkdir -p "$B/bench"
[ -f "$B/libvigil.a" ] || make -s B="$B" "$B/libvigil.a"

# ---- engine (issue 3): every compiled rule of the Elastic corpus over a generated trace ----
# BENCH_EVENTS (default 1,000,000) realistic build-server events from tests/bench/gen.c, seed
# BENCH_SEED; the trace is cached in $B/bench. Floors: 250,000 events/s in memory, peak RSS
# under 128 MB.
corpus=${VIGIL_CORPUS:-../shared/corpus/detection-rules}
events=${BENCH_EVENTS:-1000000}
seed=${BENCH_SEED:-1}
trace="$B/bench/trace-$seed-$events.ndjson"
$CC -O2 -Wall -Wextra -std=gnu11 -o "$B/bench/gen" tests/bench/gen.c
[ -s "$trace" ] || "$B/bench/gen" -n "$events" -s "$seed" -o "$trace"
$CC $BCFLAGS -o "$B/bench/bench_engine" tests/bench/bench_engine.c $LIBS
if [ -d "$corpus" ]; then
	"$B/bench/bench_engine" --rules "$corpus" --trace "$trace"
else
	echo "SKIP bench_engine: no rule corpus at $corpus"
fi

# ---- views (issue 4): the Windows view per event, without and with a view ----
$CC $BCFLAGS -o "$B/bench/bench_view" tests/bench/bench_view.c $LIBS
"$B/bench/bench_view" mappings

# ---- wine (issue 4): the Wine attribution hooks on 1 GiB through a pipe in 4 KiB writes ----
# no sensor / sensor with no wineserver / sensor with one idle wineserver (root; see wine.sh)
sh tests/bench/wine.sh "$B/vigil"

# ---- sensor (issue 7): overhead of `vigil run` on exec/connect storms and a build, its CPU, ----
# ---- memory, drops and alert latency. Root only (prints SKIP otherwise). See sensor.sh. ----
B="$B" CC="$CC" sh tests/bench/sensor.sh || echo "bench_sensor: failed (status $?)"
# ---- end of sensor section ----
