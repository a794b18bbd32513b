# tests/lib.sh — helpers for shell test scripts (sourced). Each check prints one line that
# tests/run.sh counts: PASS name / FAIL name / SKIP name: why.
VIGIL=${VIGIL:-$PWD/build/vigil}
VIGIL_SRCDIR=${VIGIL_SRCDIR:-$PWD}
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; [ $# -gt 0 ] && echo "    $*"; return 0; }
skip() { echo "SKIP $1: $2"; }
# check NAME COMMAND...: PASS when the command succeeds
check() { n=$1; shift; if "$@"; then pass "$n"; else fail "$n" "command failed: $*"; fi; }
need_root() { [ "$(id -u)" = 0 ]; }
tmpdir() { mktemp -d "/tmp/vigil-$1.XXXXXX"; }
