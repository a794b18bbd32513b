#!/bin/sh
# record.sh [SCENARIO...] — re-record the rule-test traces live (root, BPF): each scenario in
# scenarios/ runs under `vigil record` inside a new network + mount namespace (netns.sh), and
# the trace is normalised into traces/SCENARIO.ndjson. Run from the repository root:
#   sh tests/rules/record.sh                 # all
#   sh tests/rules/record.sh make-curl-raw-ip
# TRACES=DIR writes the traces there instead (rules.t.sh's live check).
set -u
VIGIL=${VIGIL:-$PWD/build/vigil}
dir=$(cd "$(dirname "$0")" && pwd)
out=${TRACES:-$dir/traces}
[ $# -gt 0 ] || set -- $(cd "$dir/scenarios" && ls *.sh | grep -v '^netns.sh$' | sed 's/\.sh$//')
st=0
for s in "$@"; do
	w=$(mktemp -d /tmp/vigil-scen.XXXXXX)
	cp -r "$dir/scenarios/files" "$w/files" 2>/dev/null
	if "$VIGIL" record -o "$w/raw.ndjson" -- unshare -n -m sh "$dir/scenarios/netns.sh" "$s" "$w" \
		>"$w/out.log" 2>&1; then
		"$VIGIL" normalize -o "$out/$s.ndjson" "$w/raw.ndjson"
		echo "recorded $s: $(wc -l <"$out/$s.ndjson") events"
	else
		echo "FAILED $s (see $w/out.log)"; tail -n 5 "$w/out.log"; st=1; continue
	fi
	rm -rf "$w"
done
exit $st
