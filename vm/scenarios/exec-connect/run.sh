#!/bin/sh
# exec-connect: plain execs and TCP/UDP connects, to loopback and to documentation addresses
# that the guest's lo carries (203.0.113.7 and 198.51.100.7 stand for remote hosts).
# Programs are called by absolute path (busybox applets are symlinks in /bin).
set -x
N=/usr/local/bin/netc

wait_file() { # bounded wait for a listener's ready file
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do /bin/usleep 50000; i=$((i + 1)); done
}

/bin/uname -r
/bin/echo exec-connect starting

# loopback: a listener and a client
$N listen 127.0.0.1 8080 /tmp/l1.ready pong &
wait_file /tmp/l1.ready
$N connect 127.0.0.1 8080 ping-loopback
wait

# a "remote" host (documentation address on lo), port 443
$N listen 203.0.113.7 443 /tmp/l2.ready pong &
wait_file /tmp/l2.ready
$N connect 203.0.113.7 443 ping-remote
wait

# a refused attempt (nothing listens on 198.51.100.7:9): still a connection attempt
$N connect 198.51.100.7 9 || /bin/echo "refused as expected"

# UDP connect (DNS-like) to a documentation address
$N udp 198.51.100.7 53 query

/bin/echo "exec-connect done"
