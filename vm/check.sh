#!/usr/bin/env bash
# vm/check.sh SCENARIO OUTDIR — decide pass/fail for one scenario recorded by vm/boot.sh.
# Prints the reasons on stdout; exit 0 pass, 1 fail.
#
# Common checks: the sensor became ready, exited 0 on SIGTERM, and wrote a trace; run.sh exited 0.
# Then check_trace: the events the scenario's expect.txt lists (vm/expect.py), and its rule test
# test.toml with `vigil test` over the rules in VM_RULES (a rule file or folder; repeatable with
# spaces). Without VM_RULES the rule test is skipped: the bundled rules/ does not hold the rules
# the tests name yet. Make it always run by defaulting VM_RULES to "$root/rules" (marked below).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
scen=${1:?usage: check.sh SCENARIO OUTDIR}
out=${2:?usage: check.sh SCENARIO OUTDIR}
[ -d "$scen" ] || scen=$here/scenarios/$scen
VIGIL=${VIGIL:-$root/build/vigil}
[ -x "$VIGIL" ] || VIGIL=${VIGIL_STATIC:-$root/build/vigil-static}
VM_RULES=${VM_RULES:-} # the swap: VM_RULES=${VM_RULES:-$root/rules}

check_trace() {
	python3 "$here/expect.py" "$scen/expect.txt" "$out/trace.ndjson" || return 1
	if [ -z "$VM_RULES" ] || [ ! -f "$scen/test.toml" ]; then
		echo "rule test skipped (no VM_RULES)"
		return 0
	fi
	local r args=()
	for r in $VM_RULES; do args+=(--rules "$r"); done
	cp "$scen/test.toml" "$out/test.toml"
	"$VIGIL" test "${args[@]}" "$out/test.toml"
}

fail=0
why() { echo "$*"; fail=1; }

[ -f "$out/init.log" ] || why "no results from the guest (see $out/console.log)"
if [ -e "$out/sensor.notready" ]; then
	why "sensor: $(cat "$out/sensor.notready")"
fi
if [ -f "$out/sensor.rc" ] && [ "$(cat "$out/sensor.rc")" != 0 ]; then
	why "sensor exited with status $(cat "$out/sensor.rc")"
fi
[ -f "$out/scenario.rc" ] || why "scenario did not run"
if [ -f "$out/scenario.rc" ] && [ "$(cat "$out/scenario.rc")" != 0 ]; then
	why "scenario run.sh exited with status $(cat "$out/scenario.rc")"
fi
if [ -s "$out/sensor.stderr" ] && [ $fail = 1 ]; then
	echo "--- sensor stderr (last 25 lines):"
	tail -n 25 "$out/sensor.stderr"
fi
if [ ! -s "$out/trace.ndjson" ]; then
	why "empty or missing trace.ndjson"
else
	check_trace || fail=1
fi
exit $fail
