#!/bin/sh
# build-tool: a build that goes bad. `make` runs its recipe through /bin/sh, the recipe runs
# `gcc`, gcc runs `cc1`, and cc1 (a compromised compiler) spawns a shell that connects out to
# 203.0.113.7:4444 (a documentation address on the guest's lo, where a listener waits).
# make, gcc and cc1 are one static stand-in (tool.c) installed under the real tools' paths;
# what each runs is listed in spawn/<name>.
set -x
/bin/mkdir -p /usr/lib/gcc/x86_64-linux-gnu/12 /work
/bin/cp /scenario/tool /usr/bin/make
/bin/cp /scenario/tool /usr/bin/gcc
/bin/cp /scenario/tool /usr/lib/gcc/x86_64-linux-gnu/12/cc1
/bin/echo 'int main(void) { return 0; }' > /work/main.c

/usr/local/bin/netc listen 203.0.113.7 4444 /tmp/l.ready ok &
i=0
while [ ! -e /tmp/l.ready ] && [ $i -lt 100 ]; do /bin/usleep 50000; i=$((i + 1)); done

cd /work && /usr/bin/make -j2 all
st=$?
wait
exit $st
