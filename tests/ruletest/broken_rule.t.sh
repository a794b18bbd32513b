#!/bin/sh
# tests/ruletest/broken_rule.t.sh — `vigil test` catches a broken rule (issue 5, done-when 3).
# A bundled rule and its positive test are copied into a temp dir: the unmodified copy passes;
# with the rule's query changed so that it no longer matches (gcc dropped from the compilers it
# knows), the same test fails with a clear difference (expected: / got:) and exit status 1.
# Also: a malformed test file is reported as file:line:col.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
d=$(tmpdir ruletest)
trap 'rm -rf "$d"' EXIT
slug=defense_evasion_compiler_spawning_shell
rule=rules/linux/$slug.toml
test=tests/rules/$slug/positive.toml
rid=$(sed -n 's/^rule_id = "\(.*\)"$/\1/p' "$rule")
trace=$(sed -n 's/^trace = \["\.\.\/traces\/\(.*\)"\]$/\1/p' "$test")
if [ -z "$rid" ] || [ -z "$trace" ] || [ ! -f "tests/rules/traces/$trace" ]; then
	fail broken_rule_setup "cannot find the rule id of $rule or the trace of $test"
	exit 0
fi

# The copies: the test's trace by absolute path, its `rules =` dropped (so --rules applies).
mkdir -p "$d/good" "$d/broken"
cp "$rule" "$d/good/"
sed -e "s#^trace = .*#trace = \"$VIGIL_SRCDIR/tests/rules/traces/$trace\"#" -e '/^rules = /d' \
	"$test" > "$d/positive.toml"
# The break: "gcc" leaves the list of compiler parents (no other pattern there matches "gcc").
sed 's/"gcc", "g++",/"gnatgcc", "g++",/' "$rule" > "$d/broken/$slug.toml"
if cmp -s "$rule" "$d/broken/$slug.toml" || ! grep -q '"gnatgcc"' "$d/broken/$slug.toml"; then
	fail broken_rule_setup "the query of $rule no longer has '\"gcc\", \"g++\",' to change"
	exit 0
fi

"$VIGIL" test --rules "$d/good" "$d/positive.toml" > "$d/good.out" 2>&1
st=$?
if [ $st = 0 ] && grep -q "^PASS $d/positive.toml" "$d/good.out" &&
	grep -q '^1 passed, 0 failed$' "$d/good.out"; then
	pass broken_rule_unmodified_copy_passes
else
	fail broken_rule_unmodified_copy_passes "status $st: $(head -n 5 "$d/good.out" | tr '\n' ' ')"
fi

"$VIGIL" test --rules "$d/broken" "$d/positive.toml" > "$d/broken.out" 2>&1
st=$?
if [ $st = 1 ] && grep -q "^FAIL $d/positive.toml" "$d/broken.out" &&
	grep -q "expected: .*$rid" "$d/broken.out" && grep -q 'got: *0$' "$d/broken.out" &&
	grep -q '^0 passed, 1 failed$' "$d/broken.out"; then
	pass broken_rule_fails_with_difference
else
	fail broken_rule_fails_with_difference \
		"status $st (want 1), want FAIL, 'expected: ... $rid' and 'got: 0': $(head -n 8 \
		"$d/broken.out" | tr '\n' ' ')"
fi

# Malformed test files: the error names file:line:col.
printf '[test]\nname = "bad"\ntrace = "x.ndjson"\n\n[[alert]]\nrule_id = \n' > "$d/syntax.toml"
printf '[test]\ntrace = "x.ndjson"\n\n[[alert]]\nrule_id = "r"\ncount = "two"\n' > "$d/schema.toml"
for t in syntax:6:11 schema:6:9; do
	f=$d/${t%%:*}.toml
	loc=${t#*:}
	"$VIGIL" test --rules "$d/good" "$f" > "$d/out" 2>&1
	st=$?
	if [ $st = 1 ] && grep -q "^    $f:$loc: " "$d/out"; then
		pass "ruletest_malformed_${t%%:*}_location"
	else
		fail "ruletest_malformed_${t%%:*}_location" \
			"status $st, want 1 and '$f:$loc: ...': $(head -n 3 "$d/out" | tr '\n' ' ')"
	fi
done
exit 0
