# R13/R15 negative: socat as a plain relay from stdin
catcher 4444 'hello\n'
echo data | socat -t 2 - TCP:203.0.113.7:4444
catcher_wait
true
