#!/bin/sh
# vigil query: output, exit status like grep, query errors with a caret, traces in sequence.
. "${VIGIL_SRCDIR:-.}/tests/lib.sh"
V=${VIGIL_ASAN:-$VIGIL}
[ -x "$V" ] || V=$VIGIL
d=$(tmpdir query)
trap 'rm -rf "$d"' EXIT
cat > "$d/a.ndjson" <<'J'
{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"name":"bash","pid":10},"host":{"id":"h"}}
{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"network"},"process":{"pid":10},"destination":{"ip":"192.0.2.7"},"host":{"id":"h"}}
not json
{"@timestamp":"2024-01-01T00:00:03Z","event":{"category":"process"},"process":{"name":"curl","pid":11},"host":{"id":"h"}}
J
cat > "$d/b.ndjson" <<'J'
{"@timestamp":"2024-01-01T00:00:04Z","event":{"category":"network"},"process":{"pid":11},"destination":{"ip":"198.51.100.1"},"host":{"id":"h"}}
J

out=$("$V" query 'process where process.name : "BASH"' "$d/a.ndjson" 2>"$d/err"); st=$?
if [ $st = 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -q '"name":"bash"'; then
	pass query_match
else fail query_match "status $st, output: $out"; fi
grep -q 'a.ndjson:3' "$d/err" && pass query_bad_line_reported || fail query_bad_line_reported "$(cat "$d/err")"

"$V" query 'process where process.name == "zsh"' "$d/a.ndjson" >/dev/null 2>&1; st=$?
[ $st = 1 ] && pass query_no_match_exit_1 || fail query_no_match_exit_1 "status $st"

"$V" query 'process where process.name ==' "$d/a.ndjson" >/dev/null 2>"$d/err"; st=$?
if [ $st = 2 ] && grep -q '^query:1:30: ' "$d/err" && grep -q '^ *\^$' "$d/err"; then
	pass query_error_caret
else fail query_error_caret "status $st: $(cat "$d/err")"; fi

# a sequence across two traces read in order: the events of each match, in order
out=$("$V" query 'sequence by process.pid [process where true] [network where true]' "$d/a.ndjson" "$d/b.ndjson" 2>/dev/null); st=$?
pids=$(printf '%s\n' "$out" | grep -o '"pid":[0-9]*' | tr '\n' ' ')
if [ $st = 0 ] && [ "$pids" = '"pid":10 "pid":10 "pid":11 "pid":11 ' ]; then
	pass query_sequence_two_traces
else fail query_sequence_two_traces "status $st: $out"; fi

out=$("$V" query --language kuery 'destination.ip: 198.51.100.0/24' "$d/a.ndjson" "$d/b.ndjson" 2>/dev/null); st=$?
if [ $st = 0 ] && printf '%s' "$out" | grep -q '198.51.100.1' && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
	pass query_kuery
else fail query_kuery "status $st: $out"; fi

"$V" query --language sql 'x' "$d/a.ndjson" >/dev/null 2>&1; st=$?
[ $st = 2 ] && pass query_bad_language || fail query_bad_language "status $st"
"$V" query 'any where true' "$d/missing.ndjson" >/dev/null 2>&1; st=$?
[ $st = 3 ] && pass query_missing_trace || fail query_missing_trace "status $st"
"$V" query --help | grep -q '^usage: vigil query' && pass query_help || fail query_help
out=$("$V" query 'any where true | tail 1' "$d/a.ndjson" "$d/b.ndjson" 2>/dev/null)
printf '%s' "$out" | grep -q '198.51.100.1' && pass query_tail || fail query_tail "$out"
