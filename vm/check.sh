#!/usr/bin/env bash
# vm/check.sh SCENARIO OUTDIR — decide pass/fail for one scenario recorded by vm/boot.sh.
# Prints the reasons on stdout; exit 0 pass, 1 fail.
#
# Common checks: the sensor became ready, exited 0 on SIGTERM, and wrote a trace; run.sh exited 0.
# Then check_trace: the events the scenario's expect.txt lists (vm/expect.py), and its rule test
# test.toml with `vigil test` over the rules in VM_RULES (default: the bundled pack, rules/; rule
# files or folders separated by spaces). With VM_ELASTIC_RULES (e.g. Elastic's
# detection-rules/rules/linux) also the scenario's elastic.toml, over those rules.
# Linux view only (--no-views): the guests run Linux programs; the pack's Windows rules and the
# Windows view (Wine/Mono MSBuild, shells seen as cmd.exe) are covered by tests/rules.
# Writes OUTDIR/alerts.txt: "RULE_ID COUNT" per rule that alerted on the trace (as `vigil test -v`
# lists them; test.toml then elastic.toml), sorted; vm/matrix.sh compares it across kernels.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
scen=${1:?usage: check.sh SCENARIO OUTDIR}
out=${2:?usage: check.sh SCENARIO OUTDIR}
[ -d "$scen" ] || scen=$here/scenarios/$scen
VIGIL=${VIGIL:-$root/build/vigil}
[ -x "$VIGIL" ] || VIGIL=${VIGIL_STATIC:-$root/build/vigil-static}
VM_RULES=${VM_RULES:-$root/rules}
VM_ELASTIC_RULES=${VM_ELASTIC_RULES:-}

# rule_test TEST RULES...: `vigil test` of the scenario's TEST on the trace, over RULES; the
# alerts it lists go to alerts.txt
rule_test() {
	local t=$1 r st=0 args=()
	shift
	for r in "$@"; do args+=(--rules "$r"); done
	cp "$scen/$t" "$out/$t"
	"$VIGIL" test -v --no-views "${args[@]}" "$out/$t" > "$out/$t.out" 2>&1 || st=1
	# failures: the difference; passes: the PASS line (not the -v alert list)
	if [ $st = 0 ]; then grep -v '^ ' "$out/$t.out"; else cat "$out/$t.out"; fi
	awk '/^      [0-9a-f]+-[0-9a-f-]+ "/ { n[$1]++ } END { for (r in n) print r, n[r] }' \
		"$out/$t.out" | sort >> "$out/alerts.txt"
	return $st
}

check_trace() {
	local st=0
	python3 "$here/expect.py" "$scen/expect.txt" "$out/trace.ndjson" || st=1
	: > "$out/alerts.txt"
	# shellcheck disable=SC2086 # VM_RULES is a list of paths
	[ ! -f "$scen/test.toml" ] || rule_test test.toml $VM_RULES || st=1
	if [ -n "$VM_ELASTIC_RULES" ] && [ -f "$scen/elastic.toml" ]; then
		# shellcheck disable=SC2086
		rule_test elastic.toml $VM_ELASTIC_RULES || st=1
	fi
	return $st
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
