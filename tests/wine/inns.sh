#!/bin/sh
# inns.sh CMD... — run CMD in the (new, empty) network namespace this script was started in
# (`unshare -n sh inns.sh ...`): loopback up, 203.0.113.7 on it, a listener on ports 80 and
# 8001-8008, and the prefix's wineserver (started by CMD, living in this namespace) ended after.
ip link set lo up && ip addr add 203.0.113.7/32 dev lo || exit 97
ready=$(mktemp -u /tmp/vigil-wine-ready.XXXXXX)
/usr/bin/python3 "$(dirname "$0")/listen.py" "$ready" 80 8001 8002 8003 8004 8005 8006 8007 8008 &
l=$!
i=0
while [ ! -e "$ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
rm -f "$ready"
"$@"
st=$?
[ -n "${WINEPREFIX:-}" ] && wineserver -k 2>/dev/null
kill $l 2>/dev/null
wait $l 2>/dev/null
exit $st
