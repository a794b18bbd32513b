#!/bin/sh
# netns.sh SCENARIO WORKDIR — run one rule-test scenario inside the private network and mount
# namespaces that record.sh creates (`unshare -n -m`). Only documentation addresses exist here:
# the namespace's loopback carries 203.0.113.7 (the "remote" host) and /etc/hosts (bind-mounted,
# private to the namespace) maps repo.example.test to it. Nothing can leave the namespace.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
export HOME="$2"   # no personal dotfiles (bash -i reads ~/.bashrc)
scen=$1
W=$2
here=$(dirname "$0")
ip link set lo up
ip addr add 203.0.113.7/32 dev lo
printf '127.0.0.1 localhost\n203.0.113.7 repo.example.test\n' >"$W/hosts"
mount --bind "$W/hosts" /etc/hosts
mkdir -p "$W/www"
cd "$W" || exit 1
# listeners die with the scenario, whatever happens to it
HTTP_PID="" HTTP_PID2="" CATCH_PID=""
trap 'kill $HTTP_PID $HTTP_PID2 $CATCH_PID 2>/dev/null' EXIT

# wait_port ADDR:PORT: until something listens there (at most 5 s)
wait_port() {
	i=0
	while ! ss -ltnH | grep -q " $1 " && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
# http_up: a static web server for $W/www on 203.0.113.7:80 and 127.0.0.1:8000
http_up() {
	/usr/bin/python3 -m http.server 80 --bind 203.0.113.7 --directory "$W/www" >/dev/null 2>&1 &
	HTTP_PID=$!
	/usr/bin/python3 -m http.server 8000 --bind 127.0.0.1 --directory "$W/www" >/dev/null 2>&1 &
	HTTP_PID2=$!
	wait_port 203.0.113.7:80
	wait_port 127.0.0.1:8000
}
http_down() {
	kill "$HTTP_PID" "$HTTP_PID2" 2>/dev/null
	wait "$HTTP_PID" "$HTTP_PID2" 2>/dev/null
	HTTP_PID="" HTTP_PID2=""
	true
}
# catcher PORT TEXT: a one-shot TCP listener on 203.0.113.7:PORT that sends TEXT (commands for
# a reverse shell), then closes; killed after 10 s at most
catcher() {
	printf "$2" | timeout 10 nc.traditional -q 2 -l -s 203.0.113.7 -p "$1" >/dev/null 2>&1 &
	CATCH_PID=$!
	wait_port "203.0.113.7:$1"
}
catcher_wait() { wait "$CATCH_PID" 2>/dev/null; CATCH_PID=""; }

. "$here/$scen.sh"
