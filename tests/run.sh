#!/bin/sh
# Run every test suite and add up their PASS/FAIL/SKIP lines into one closing line:
#   N passed, N failed, N skipped
# Suites: the unit tests (ASan+UBSan build), then every tests/*/*.t.sh script (CLI, replay,
# live sensor, Wine, VM). A script prints "PASS name", "FAIL name" or "SKIP name: why" lines
# (tests/lib.sh helps; scripts run under bash); a script that dies without reporting counts as one failure.
# Usage: tests/run.sh [PATTERN]   (only scripts whose path contains PATTERN; unit tests too)
set -u
cd "$(dirname "$0")/.." || exit 2
export VIGIL_SRCDIR="$PWD"
export VIGIL="$PWD/build/vigil"
export VIGIL_ASAN="$PWD/build/vigil-asan"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
pat="${1:-}"
log=$(mktemp -d /tmp/vigil-test.XXXXXX)
trap 'rm -rf "$log"' EXIT

total_pass=0 total_fail=0 total_skip=0
count() { # $1 = output file, $2 = exit status, $3 = suite name
	p=$(grep -c '^PASS ' "$1"); f=$(grep -c '^FAIL ' "$1"); s=$(grep -c '^SKIP ' "$1")
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $3 (exit status $2, no failure reported)"
		f=1
	fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
}

suite() { # $1 = name, rest = command
	name=$1; shift
	echo "== $name"
	out="$log/$(echo "$name" | tr '/ ' '__').out"
	"$@" > "$out" 2>&1
	st=$?
	grep -E '^(PASS|FAIL|SKIP) |^    ' "$out" | grep -v '^PASS ' || true
	grep -q . "$out" || echo "(no output)"
	count "$out" "$st" "$name"
	if [ "$st" != 0 ]; then
		echo "-- output of $name (last 40 lines):"
		tail -n 40 "$out"
	fi
}

suite unit build/tests/unit-asan ${pat:+"$pat"}
for t in tests/*/*.t.sh; do
	[ -e "$t" ] || continue
	case "$t" in *"$pat"*) ;; *) continue ;; esac
	suite "$t" bash "$t"
done
echo
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
