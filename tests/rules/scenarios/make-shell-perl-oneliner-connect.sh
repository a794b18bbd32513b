# R07 positive: a multi-command recipe; the shell forks perl -e, which connects out
cat >Makefile <<'MK'
all:
	echo configuring; perl -e 'use IO::Socket::INET; my $$s = IO::Socket::INET->new(PeerAddr => "203.0.113.7", PeerPort => 80, Timeout => 5) or die; print $$s "GET / HTTP/1.0\r\n\r\n"; <$$s>;'; echo done
MK
http_up
make
http_down
