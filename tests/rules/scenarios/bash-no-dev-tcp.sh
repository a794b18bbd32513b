# R10/R11 negative: shells doing ordinary redirections and a loopback /dev/tcp port check
# written in a script file
bash -c 'cat </etc/hostname >/dev/null; ls /dev >/tmp/vigil-rt-ls.txt; rm -f /tmp/vigil-rt-ls.txt'
http_up
printf 'exec 3<>/dev/tcp/127.0.0.1/8000 && echo up\n' >check.sh
bash check.sh
http_down
