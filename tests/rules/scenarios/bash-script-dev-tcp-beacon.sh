# R11 positive: a script file opens /dev/tcp (not visible in any command line)
http_up
printf 'exec 3<>/dev/tcp/203.0.113.7/80\nprintf "GET / HTTP/1.0\\r\\n\\r\\n" >&3\ncat <&3 >/dev/null\n' >beacon.sh
bash beacon.sh
http_down
