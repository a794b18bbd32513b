#!/bin/sh
# vigil rules check: per-rule lines, summary, exit status, --json, precise errors; the whole
# Elastic corpus (issue 3: every file parses, every live kuery/eql query compiles, every live
# query/eql rule is ok), also under ASan (no leak).
. "${VIGIL_SRCDIR:-.}/tests/lib.sh"
VA=${VIGIL_ASAN:-$VIGIL}
[ -x "$VA" ] || VA=$VIGIL
corpus="$VIGIL_SRCDIR/../shared/corpus/detection-rules"
d=$(tmpdir rules)
trap 'rm -rf "$d"' EXIT

mkdir -p "$d/r/sub"
cat > "$d/r/good.toml" <<'T'
[metadata]
maturity = "production"

[rule]
name = "Netcat exec"
rule_id = "11111111-0000-0000-0000-000000000001"
description = "nc -e"
risk_score = 73
severity = "high"
type = "eql"
language = "eql"
tags = ["OS: Linux"]
query = '''
process where event.type == "start" and process.name == "nc" and process.args == "-e"
'''
T
cat > "$d/r/sub/nt.toml" <<'T'
[rule]
name = "New terms"
rule_id = "11111111-0000-0000-0000-000000000002"
description = "d"
risk_score = 21
severity = "low"
type = "new_terms"
language = "kuery"
query = "process.name : curl"
T
# a query error on line 13, column 36 of the file (the `=` of an EQL comparison)
cat > "$d/r/sub/bad.toml" <<'T'
[metadata]
maturity = "production"

[rule]
name = "Broken"
rule_id = "11111111-0000-0000-0000-000000000003"
description = "d"
risk_score = 21
severity = "low"
type = "eql"
language = "eql"
query = '''
process where process.name = "nc"
'''
T
printf '[rule]\nname = "x\n' > "$d/r/sub/notoml.toml"

out=$("$VIGIL" rules check "$d/r" 2>"$d/err"); st=$?
printf '%s\n' "$out" > "$d/out"
[ $st = 1 ] && pass rules_check_exit_1_on_error || fail rules_check_exit_1_on_error "status $st"
if grep -q "^ok	$d/r/good.toml	11111111-0000-0000-0000-000000000001	Netcat exec	-\$" "$d/out"; then
	pass rules_check_ok_line
else fail rules_check_ok_line "$out"; fi
if grep "^unsupported	$d/r/sub/nt.toml	" "$d/out" | grep -q 'new_terms is not supported'; then
	pass rules_check_unsupported_reason
else fail rules_check_unsupported_reason "$out"; fi
if grep -q "^error	$d/r/sub/bad.toml	11111111-0000-0000-0000-000000000003	Broken	$d/r/sub/bad.toml:13:" "$d/out"; then
	pass rules_check_error_position
else fail rules_check_error_position "$out"; fi
if grep -q "^error	$d/r/sub/notoml.toml	-	-	$d/r/sub/notoml.toml:2:" "$d/out"; then
	pass rules_check_toml_error_position
else fail rules_check_toml_error_position "$out"; fi
if [ "$(tail -n 1 "$d/out")" = "4 rule files: 1 ok, 1 unsupported, 2 errors" ]; then
	pass rules_check_summary
else fail rules_check_summary "$(tail -n 1 "$d/out")"; fi

# --json: one object per file, summary on stderr
"$VIGIL" rules check --json "$d/r" > "$d/json" 2>"$d/err"; st=$?
n=$(grep -c '^{"file":' "$d/json")
if [ $st = 1 ] && [ "$n" = 4 ] && grep -q '"status":"ok"' "$d/json" &&
   grep '"rule_id":"11111111-0000-0000-0000-000000000002"' "$d/json" | grep -q '"type":"new_terms","language":"kuery","status":"unsupported","reason":"rule type new_terms' &&
   grep -q '1 ok, 1 unsupported, 2 errors' "$d/err"; then
	pass rules_check_json
else fail rules_check_json "status $st: $(cat "$d/json" "$d/err")"; fi

# only good rules: exit 0
"$VIGIL" rules check "$d/r/good.toml" >/dev/null 2>&1; st=$?
[ $st = 0 ] && pass rules_check_exit_0 || fail rules_check_exit_0 "status $st"
"$VIGIL" rules check "$d/nope" >/dev/null 2>"$d/err"; st=$?
[ $st = 3 ] && grep -q nope "$d/err" && pass rules_check_missing_path || fail rules_check_missing_path "status $st"
"$VIGIL" rules frobnicate >/dev/null 2>&1; st=$?
[ $st = 2 ] && pass rules_unknown_subcommand || fail rules_unknown_subcommand "status $st"
"$VIGIL" rules check --help | grep -q 'usage: vigil rules check' && pass rules_check_help || fail rules_check_help

# the corpus
if [ ! -d "$corpus" ]; then
	skip rules_check_corpus "no corpus at $corpus"
	exit 0
fi
"$VIGIL" rules check --json "$corpus" > "$d/corpus.json" 2>"$d/err"; st=$?
files=$(grep -c '^{' "$d/corpus.json")
errors=$(grep -c '"status":"error"' "$d/corpus.json")
live="$d/live.json"
grep -v '/rules/_deprecated/' "$d/corpus.json" > "$live"
live_lang=$(grep -cE '"language":"(kuery|eql)"' "$live")
live_lang_bad=$(grep -E '"language":"(kuery|eql)"' "$live" | grep -c '"status":"error"')
live_run=$(grep -cE '"type":"(query|eql)"' "$live")
live_run_ok=$(grep -E '"type":"(query|eql)"' "$live" | grep -c '"status":"ok"')
echo "    corpus: $files files, $errors errors; live kuery/eql $live_lang ($live_lang_bad errors); live query/eql rules $live_run, ok $live_run_ok"
[ "$files" = 2192 ] && [ "$errors" = 0 ] && pass rules_check_corpus_all_parse ||
	fail rules_check_corpus_all_parse "$files files, $errors errors: $(grep '"status":"error"' "$d/corpus.json" | head -5)"
[ "$live_lang" = 1753 ] && [ "$live_lang_bad" = 0 ] && pass rules_check_corpus_live_queries_compile ||
	fail rules_check_corpus_live_queries_compile "$live_lang live kuery/eql, $live_lang_bad errors"
[ "$live_run" = 1478 ] && [ "$live_run_ok" = 1478 ] && pass rules_check_corpus_live_rules_ok ||
	fail rules_check_corpus_live_rules_ok "$live_run live query/eql rules, $live_run_ok ok"
[ $st = 0 ] && pass rules_check_corpus_exit_0 || fail rules_check_corpus_exit_0 "status $st"

# the same under ASan + LeakSanitizer: no crash, no leak, same verdicts
if [ "$VA" != "$VIGIL" ]; then
	ASAN_OPTIONS=detect_leaks=1 "$VA" rules check --json "$corpus" > "$d/asan.json" 2>"$d/asan.err"; st=$?
	if [ $st = 0 ] && ! grep -q 'Sanitizer' "$d/asan.err" && cmp -s "$d/asan.json" "$d/corpus.json"; then
		pass rules_check_corpus_asan_clean
	else fail rules_check_corpus_asan_clean "status $st: $(head -c 2000 "$d/asan.err")"; fi
else
	skip rules_check_corpus_asan_clean "no ASan binary (VIGIL_ASAN)"
fi
