#!/bin/sh
# Windows tools on Linux, end to end (root, BPF, Wine, mingw-w64, Mono): issue 4's "Done when"
# 1-7. Each scenario runs in a network namespace the test creates (inns.sh: 203.0.113.7 on
# its loopback, a listener), recorded from outside with `vigil record -- unshare -n ...`; the
# recorded trace is replayed through the rules (Windows view included) and compared with the
# committed, normalised trace of the same scenario (tests/wine/traces/, expectations in
# tests/wine/*.toml): both must give the same alerts.
#   VIGIL_UPDATE_TRACES=1 bash tests/wine/wine.t.sh    re-record the committed traces
. tests/lib.sh
here=$VIGIL_SRCDIR/tests/wine
corpus=${VIGIL_CORPUS:-$VIGIL_SRCDIR/../shared/corpus/detection-rules/rules/windows}
chk() { python3 "$here/check.py" "$@"; }

if ! need_root; then skip wine "needs root (BPF, network namespaces)"; exit 0; fi
for tool in wine wineserver wineboot x86_64-w64-mingw32-gcc unshare ip python3; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip wine "$tool is not installed (sh tests/deps.sh all)"
		exit 0
	fi
done
d=$(tmpdir wine)
export WINEPREFIX="$d/pfx" WINEDEBUG=-all DISPLAY= WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
	WINEPREFIX="$d/pfx" wineserver -k 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

# a fresh prefix for this run (~5-10 s), reused by every scenario; programs in C:\build
if ! wineboot -i >"$d/wineboot.log" 2>&1; then
	skip wine "cannot create a Wine prefix: $(tail -n 1 "$d/wineboot.log")"
	exit 0
fi
wineserver -w
b="$WINEPREFIX/drive_c/build"
mkdir -p "$b"
if ! x86_64-w64-mingw32-gcc -O2 -o "$b/MSBuild.exe" "$here/src/connect.c" -lws2_32 2>"$d/cc.err"; then
	fail wine_build_pe "$(cat "$d/cc.err")"
	exit 0
fi
eight="MSBuild.exe:8001 csc.exe:8002 vbc.exe:8003 VBCSCompiler.exe:8004 nuget.exe:8005 git.exe:8006 link.exe:8007 devenv.exe:8008"
for n in cmd.exe Launcher.exe $(for p in $eight; do echo "${p%%:*}"; done); do
	[ -e "$b/$n" ] || cp "$b/MSBuild.exe" "$b/$n"
done
echo "203.0.113.7 80" >"$b/build.bat"
echo "127.0.0.1 80" >"$b/local.bat"

# record NAME CMD...: record CMD in a new network namespace into $d/NAME.ndjson (cwd C:\build)
record() {
	name=$1
	shift
	(cd "$b" && "$VIGIL" record -o "$d/$name.ndjson" -- unshare -n sh "$here/inns.sh" "$@") \
		>"$d/$name.out" 2>"$d/$name.err"
}

# alerts NAME TRACE [RULES...]: "rule_id view" lines of replaying TRACE
alerts() {
	n=$1 t=$2
	shift 2
	[ $# -gt 0 ] || set -- "$VIGIL_SRCDIR/rules/windows" "$VIGIL_SRCDIR/rules/linux" "$here/rules"
	args=""
	for r in "$@"; do args="$args --rules $r"; done
	# shellcheck disable=SC2086
	"$VIGIL" replay $args --mappings "$VIGIL_SRCDIR/mappings" -o "$d/$n.alerts" "$t" 2>"$d/$n.replay.err"
	chk alerts "$d/$n.alerts"
}

# scenario NAME: normalise the live trace, commit it when updating, then check that the
# committed test (NAME.toml) passes on the live trace and on the committed one, and that both
# replay to the same alerts
scenario() {
	name=$1
	if ! "$VIGIL" normalize -o "$d/$name.norm.ndjson" "$d/$name.ndjson" 2>"$d/$name.norm.err"; then
		fail "wine_${name}_normalize" "$(cat "$d/$name.norm.err")"
		return
	fi
	if [ "${VIGIL_UPDATE_TRACES:-}" = 1 ]; then
		mkdir -p "$here/traces"
		cp "$d/$name.norm.ndjson" "$here/traces/$name.ndjson"
	fi
	# the committed test pointed at the live trace (paths made absolute: it lives in $d)
	sed -e "s|^trace = .*|trace = \"$d/$name.ndjson\"|" \
		-e "s|^rules = .*|rules = [\"$VIGIL_SRCDIR/rules/windows\", \"$here/rules\"]|" \
		"$here/$name.toml" >"$d/$name.live.toml"
	if out=$("$VIGIL" test --mappings "$VIGIL_SRCDIR/mappings" "$d/$name.live.toml" 2>&1); then
		pass "wine_${name}_live"
	else
		fail "wine_${name}_live" "$out"
	fi
	if [ ! -e "$here/traces/$name.ndjson" ]; then
		fail "wine_${name}_committed" "no committed trace (VIGIL_UPDATE_TRACES=1 records it)"
		return
	fi
	if out=$("$VIGIL" test --mappings "$VIGIL_SRCDIR/mappings" "$here/$name.toml" 2>&1); then
		pass "wine_${name}_committed"
	else
		fail "wine_${name}_committed" "$out"
	fi
	live=$(alerts "$name.live" "$d/$name.ndjson")
	committed=$(alerts "$name.committed" "$here/traces/$name.ndjson")
	if [ "$live" = "$committed" ]; then
		pass "wine_${name}_replay_same_as_live"
	else
		fail "wine_${name}_replay_same_as_live" "live: $(echo $live) / committed: $(echo $committed)"
	fi
}

# corpus NAME RULE WANT [TRACE]: the corpus's current version of a rule alerts (WANT=yes) or not
corpus() {
	n=$1 rule=$corpus/$2 want=$3 t=${4:-$d/$1.ndjson}
	if [ ! -e "$rule" ]; then
		skip "wine_${n}_corpus" "corpus rule $rule not found"
		return
	fi
	got=$(alerts "$n.corpus" "$t" "$rule" | grep -c .)
	if { [ "$want" = yes ] && [ "$got" -gt 0 ]; } || { [ "$want" = no ] && [ "$got" = 0 ]; }; then
		pass "wine_${n}_corpus"
	else
		fail "wine_${n}_corpus" "$got alerts from $2, want $want"
	fi
}

# 1. MSBuild.exe under Wine to 203.0.113.7: the seed rule, its earlier versions, the corpus's.
# `vigil run` (the live rules, whole machine) watches too: its alerts about C:\build\MSBuild.exe
# must be those of replaying the recorded trace.
"$VIGIL" run --rules "$VIGIL_SRCDIR/rules/windows" --rules "$here/rules" \
	--mappings "$VIGIL_SRCDIR/mappings" -o "$d/run.alerts" --ready-file "$d/run.ready" 2>"$d/run.err" &
runpid=$!
i=0
while [ ! -e "$d/run.ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
record msbuild_public wine ./MSBuild.exe 203.0.113.7 80
sleep 0.5
kill -INT $runpid
wait $runpid
scenario msbuild_public
mine() { # alerts of $1 about C:\build\MSBuild.exe, as "rule_id view" lines
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a.get("process", {}).get("executable") == "C:\\build\\MSBuild.exe":
        print(a["kibana"]["alert"]["rule"]["rule_id"], a["vigil"]["view"])' "$1" | sort
}
live=$(mine "$d/run.alerts")
replayed=$(mine "$d/msbuild_public.live.alerts")
if [ -n "$live" ] && [ "$live" = "$replayed" ]; then
	pass wine_msbuild_public_vigil_run_same_as_replay
else
	fail wine_msbuild_public_vigil_run_same_as_replay "run: $(echo $live) / replay: $(echo $replayed) $(tail -n 2 "$d/run.err")"
fi
corpus msbuild_public defense_evasion_msbuild_making_network_connections.toml yes

# 2. the same to 127.0.0.1: no alert
record msbuild_loopback wine ./MSBuild.exe 127.0.0.1 80
scenario msbuild_loopback
corpus msbuild_loopback defense_evasion_msbuild_making_network_connections.toml no

# 3. eight Wine programs with different names connecting at once
# shellcheck disable=SC2016
record eight sh -c 'for p in "$@"; do wine "./${p%%:*}" 203.0.113.7 "${p##*:}" & done; wait' sh $eight
# shellcheck disable=SC2086
if out=$(chk eight "$d/eight.ndjson" $eight); then pass wine_eight_attributed; else fail wine_eight_attributed "$out"; fi
scenario eight

# 4. CreateProcess: the child's process.parent.name is the program's Windows name
record createprocess wine ./Launcher.exe 127.0.0.1 80 "cmd.exe /c echo hi"
scenario createprocess

# 5. Mono: a C# MSBuild.exe connecting; xbuild's Exec task parent chain
if command -v mcs >/dev/null 2>&1 && command -v mono >/dev/null 2>&1; then
	mkdir -p "$d/mono"
	if mcs -out:"$d/mono/MSBuild.exe" "$here/src/connect.cs" >"$d/mcs.err" 2>&1; then
		b="$d/mono" record mono_msbuild mono ./MSBuild.exe 203.0.113.7 80
		scenario mono_msbuild
	else
		fail wine_mono_build "$(cat "$d/mcs.err")"
	fi
else
	skip wine_mono_msbuild "mono/mcs not installed (mono-mcs)"
fi
if command -v xbuild >/dev/null 2>&1; then
	cp "$here/src/exec.proj" "$d/mono/exec.proj"
	b="$d/mono" record xbuild_exec xbuild /nologo /verbosity:quiet exec.proj
	if out=$(chk xbuild "$d/xbuild_exec.ndjson"); then pass wine_xbuild_exec_chain; else fail wine_xbuild_exec_chain "$out"; fi
	scenario xbuild_exec
else
	skip wine_xbuild_exec "xbuild not installed (mono-xbuild)"
fi

# 6. cmd.exe /c build.bat under Wine, and bash's /dev/tcp (alias), to 203.0.113.7 and loopback
record cmd_public wine ./cmd.exe /c build.bat
scenario cmd_public
record bash_public bash -c 'exec 3<>/dev/tcp/203.0.113.7/80'
scenario bash_public
record cmd_loopback wine ./cmd.exe /c local.bat
scenario cmd_loopback
record bash_loopback bash -c 'exec 3<>/dev/tcp/127.0.0.1/80'
scenario bash_loopback
corpus cmd_loopback execution_command_prompt_connecting_to_the_internet.toml no
corpus bash_loopback execution_command_prompt_connecting_to_the_internet.toml no
# the corpus's cmd.exe rule excludes the documentation ranges: by replay, destination public
sed 's/"203\.0\.113\.7"/"93.184.216.34"/g' "$here/traces/cmd_public.ndjson" >"$d/cmd_public_pub.ndjson"
corpus cmd_public execution_command_prompt_connecting_to_the_internet.toml yes "$d/cmd_public_pub.ndjson"
exit 0
