#!/bin/sh
# Build and run every libFuzzer target tests/fuzz/fuzz_*.c for $1 seconds each (default 60).
# Prints one line per target, "ok NAME" or "FAIL NAME (why)", and exits non-zero on any
# finding. Work dirs, seeds and crash artifacts go under $B/fuzz/ (B defaults to build).
# Usage: tests/fuzz/run.sh [SECONDS] [NAME...]   e.g. tests/fuzz/run.sh 30 toml kql
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:-60}
[ $# -gt 0 ] && shift
B=${B:-build}
CLANG=${CLANG:-clang}
out=$B/fuzz
corpus=${VIGIL_RULE_CORPUS:-../shared/corpus/detection-rules}
mkdir -p "$out/obj" "$out/artifacts"

CFLAGS="-g -O1 -std=gnu11 -D_GNU_SOURCE -fno-omit-frame-pointer -fno-sanitize-recover=all -Iuserspace -Ibpf -I$B/gen"
SAN="-fsanitize=fuzzer-no-link,address,undefined"
LDLIBS="-lbpf -lelf -lz -lcjson -lm"

# The library the targets link: every userspace .c but the CLI, main and the live sensor.
srcs=$(find userspace -name '*.c' ! -name main.c ! -path 'userspace/cli/*' ! -path 'userspace/sensor/*' | sort)
objs=""
for s in $srcs; do
	objs="$objs $out/obj/$(echo "$s" | tr / _).o"
done
for s in $srcs; do
	o="$out/obj/$(echo "$s" | tr / _).o"
	if [ ! -e "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find userspace bpf -name '*.h' -newer "$o" | head -1)" ]; then
		echo "$s $o"
	fi
done | while read -r s o; do
	$CLANG $CFLAGS $SAN -c "$s" -o "$o" || { echo "FAIL build $s" >&2; rm -f "$o"; }
done

# Seeds: a writable corpus per target plus read-only seed dirs (never copied into the repo).
seeds_for() {
	case "$1" in
	toml) echo "$corpus" ;;
	kql | eql)
		d="$out/seeds-$1"
		if [ ! -d "$d" ] && [ -d "$corpus" ]; then
			mkdir -p "$d"
			# the queries of the rule corpus, split by language (kuery -> kql)
			find "$corpus" -name '*.toml' | sort | xargs cat | awk -v dir="$d" -v want="$1" '
				/^language = / { lang = $3; gsub(/"/, "", lang); if (lang == "kuery") lang = "kql" }
				inq && /^(\x27\x27\x27|""")/ { inq = 0; close(f); next }
				inq { print > f; next }
				/^query = (\x27\x27\x27|""")/ { if (lang == want) { n++; f = dir "/q" n; inq = 1 }; lang = "" }'
		fi
		echo "$d" ;;
	ndjson) find tests -name '*.ndjson' -exec dirname {} \; 2>/dev/null | sort -u ;;
	*) ;;
	esac
}

fail=0
for t in tests/fuzz/fuzz_*.c; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .c | sed 's/^fuzz_//')
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	bin="$out/fuzz_$name"
	log="$out/fuzz_$name.log"
	if ! $CLANG $CFLAGS -fsanitize=fuzzer,address,undefined -o "$bin" "$t" $objs $LDLIBS > "$log" 2>&1; then
		echo "FAIL $name (build, see $log)"
		fail=1
		continue
	fi
	mkdir -p "$out/corpus-$name"
	seeds=$(seeds_for "$name")
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/artifacts/$name-" "$out/corpus-$name" $seeds >> "$log" 2>&1
	st=$?
	if [ $st = 0 ]; then
		echo "ok $name ($(grep -o 'Done [0-9]* runs' "$log" | tail -1 | cut -d' ' -f2) runs)"
	else
		echo "FAIL $name (exit $st, see $log; artifacts in $out/artifacts)"
		grep -m3 -E 'ERROR|SUMMARY|deadly signal' "$log" | sed 's/^/    /'
		fail=1
	fi
done
exit $fail
