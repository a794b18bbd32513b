# R12/R14/R15 negative: netcat and ncat as port checker and data client; the calling shell then
# starts a shell of its own (not a child or an exec of nc)
catcher 4444 'hello\n'
nc.traditional -z -w 2 203.0.113.7 4444
catcher_wait
catcher 4444 'hello\n'
echo data | ncat --send-only 203.0.113.7 4444
catcher_wait
sh -c 'echo after'
true
