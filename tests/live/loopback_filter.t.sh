#!/bin/sh
# `--ignore-loopback` (issue 7: in-kernel filtering of events no bundled rule can use): connects
# to 127.0.0.0/8, ::1 and ::ffff:127.x are dropped in the kernel, others still reported. The
# "remote" address is a documentation address on the loopback device of a namespace we create.
. tests/lib.sh
if ! need_root; then
	skip live_ignore_loopback "needs root to load BPF programs"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
	skip live_ignore_loopback "python3 or unshare is not installed"
	exit 0
fi
d=$(tmpdir loopback)
trap 'rm -rf "$d"' EXIT
cat >"$d/conn.py" <<'PY'
import socket
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"),
                  (socket.AF_INET6, "::ffff:127.0.0.1"), (socket.AF_INET, "127.9.9.9"),
                  (socket.AF_INET, "192.0.2.1")):
    s = socket.socket(fam)
    try:
        s.connect((addr, 1))
    except OSError:
        pass
    s.close()
PY
cmd="ip link set lo up && ip addr add 192.0.2.1/24 dev lo && python3 $d/conn.py"
for mode in plain ignore; do
	flag=
	[ $mode = ignore ] && flag=--ignore-loopback
	"$VIGIL" record $flag -o "$d/$mode.ndjson" -- unshare -n sh -c "$cmd" 2>"$d/$mode.err"
done
n=$(grep -c connection_attempted "$d/plain.ndjson")
[ "$n" = 5 ] && pass record_all_connects_without_filter || fail record_all_connects_without_filter "$n connects, want 5: $(tail -n 2 "$d/plain.err")"
n=$(grep -c connection_attempted "$d/ignore.ndjson")
if [ "$n" = 1 ] && grep connection_attempted "$d/ignore.ndjson" | grep -q '"192.0.2.1"'; then
	pass record_ignore_loopback_keeps_others
else
	fail record_ignore_loopback_keeps_others "$n connects, want only 192.0.2.1: $(tail -n 2 "$d/ignore.err")"
fi
