#!/bin/sh
# The bundled rule pack (rules/): every rule loads and compiles, every rule has a positive and a
# negative rule test (tests/rules/<rule file name>/{positive,negative}.toml) and all of them pass
# on the committed traces (recorded live by tests/rules/record.sh), and the traces only ever
# talk to documentation addresses or loopback.
. tests/lib.sh
d=$(tmpdir rules)
trap 'rm -rf "$d"' EXIT
R=$VIGIL_SRCDIR/rules
T=$VIGIL_SRCDIR/tests/rules

# 1. vigil rules check: one line per rule file, "ok" for each
"$VIGIL" rules check "$R" >"$d/check.out" 2>"$d/check.err"
st=$?
if [ ! -s "$d/check.out" ]; then
	fail rules_check_runs "status $st, no output: $(head -n 3 "$d/check.err")"
else
	nrules=0
	while IFS='	' read -r status path rid name reason; do
		case $status in
		ok) pass "rules_check:${path#"$VIGIL_SRCDIR"/}" ;;
		ok | unsupported | error) fail "rules_check:${path#"$VIGIL_SRCDIR"/}" "$status: $reason" ;;
		*) continue ;;
		esac
		nrules=$((nrules + 1))
	done <"$d/check.out"
	nfiles=$(find "$R" -name '*.toml' | wc -l)
	[ "$nrules" = "$nfiles" ] && [ "$nfiles" -ge 15 ] && pass rules_check_every_file ||
		fail rules_check_every_file "$nrules reported of $nfiles files (need >= 15)"
	[ $st = 0 ] && pass rules_check_exit_status || fail rules_check_exit_status "status $st"
fi

# 2. each rule has both tests, and its positive test expects that rule
dups=$(grep -h '^rule_id = ' $(find "$R" -name '*.toml') | sort | uniq -d)
[ -z "$dups" ] && pass rules_unique_ids || fail rules_unique_ids "$dups"
for f in $(find "$R" -name '*.toml' | sort); do
	slug=$(basename "$f" .toml)
	rid=$(sed -n 's/^rule_id = "\(.*\)"$/\1/p' "$f")
	if [ -f "$T/$slug/positive.toml" ] && [ -f "$T/$slug/negative.toml" ] &&
		grep -q "^rule_id = \"$rid\"" "$T/$slug/positive.toml" &&
		grep -q "^rule_id = \"$rid\"" "$T/$slug/negative.toml"; then
		pass "rule_has_tests:$slug"
	else
		fail "rule_has_tests:$slug" "need tests/rules/$slug/{positive,negative}.toml naming $rid"
	fi
done

# 3. vigil test over the pack: one PASS/FAIL line per test file
"$VIGIL" test --rules "$R" --mappings "$VIGIL_SRCDIR/mappings" "$T" >"$d/test.out" 2>&1
st=$?
n=0
while read -r word rest; do
	case $word in
	PASS) pass "ruletest:${rest#"$VIGIL_SRCDIR"/}"; n=$((n + 1)) ;;
	FAIL)
		why=$(awk -v l="FAIL $rest" '$0 == l { on = 1; next } on && /^    / { print; next } { on = 0 }' \
			"$d/test.out" | head -n 6 | tr -s ' \n' ' ')
		fail "ruletest:${rest#"$VIGIL_SRCDIR"/}" "$why"
		n=$((n + 1))
		;;
	esac
done <"$d/test.out"
ntests=$(grep -l -r --include='*.toml' '^\[test\]' "$T" | wc -l)
[ "$n" = "$ntests" ] && pass ruletest_every_file || fail ruletest_every_file "$n results for $ntests test files: $(tail -n 3 "$d/test.out")"
[ $st = 0 ] && pass ruletest_exit_status || fail ruletest_exit_status "status $st"

# 4. committed traces: every destination is a documentation address or loopback
bad=$(cat "$T"/traces/*.ndjson | grep -o '"destination":{[^}]*}' | grep -o '"ip":"[^"]*"' |
	grep -v -E '"ip":"(192\.0\.2|198\.51\.100|203\.0\.113|127)\.' | sort -u)
[ -z "$bad" ] && pass traces_documentation_addresses_only || fail traces_documentation_addresses_only "$bad"

# 5. live: re-record the reverse-shell and build-tool scenarios with the real sensor now and run
# their tests on the fresh traces (root, BPF, the tools; else SKIP)
live="execution_shell_dev_tcp_udp_args execution_netcat_exec_option execution_shell_spawned_by_network_utility
execution_socat_exec_address command_and_control_build_tool_network_utility_raw_ip
execution_build_tool_one_liner_interpreter_network execution_download_then_execute_tmp_child"
missing=""
for tool in unshare ip ss mount bash make curl wget python3 perl npm nc.traditional ncat socat; do
	command -v $tool >/dev/null 2>&1 || missing="$missing $tool"
done
if ! need_root; then
	skip rules_live "needs root to record with the BPF sensor"
elif [ -n "$missing" ]; then
	skip rules_live "not installed:$missing (tests/deps.sh all)"
else
	mkdir -p "$d/live/traces"
	scen=$(for slug in $live; do cat "$T/$slug/positive.toml" "$T/$slug/negative.toml"; done |
		grep '^trace' | grep -o 'traces/[^"]*\.ndjson' | sed 's|traces/||; s|\.ndjson$||' | sort -u)
	if TRACES="$d/live/traces" VIGIL="$VIGIL" sh "$T/record.sh" $scen >"$d/live/record.out" 2>&1; then
		pass rules_live_record
	else
		fail rules_live_record "$(grep FAILED "$d/live/record.out" | head -n 3)"
	fi
	for slug in $live; do
		mkdir -p "$d/live/$slug"
		for k in positive negative; do
			sed "s|^rules = .*|rules = [\"$R\"]|" "$T/$slug/$k.toml" >"$d/live/$slug/$k.toml"
		done
	done
	"$VIGIL" test --mappings "$VIGIL_SRCDIR/mappings" "$d/live" >"$d/live/test.out" 2>&1
	while read -r word rest; do
		case $word in
		PASS) pass "ruletest_live:${rest#"$d"/live/}" ;;
		FAIL) fail "ruletest_live:${rest#"$d"/live/}" "$(awk -v l="FAIL $rest" '$0 == l { on = 1; next }
			on && /^    / { print; next } { on = 0 }' "$d/live/test.out" | head -n 6 | tr -s ' \n' ' ')" ;;
		esac
	done <"$d/live/test.out"
fi
