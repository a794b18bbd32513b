# R05/R06 positive: a make recipe runs python3 -c that connects to a remote host (the recipe
# shell is bash, which execs the last command of -c in place: python's parent is make)
cat >Makefile <<'MK'
SHELL := /bin/bash
all:
	python3 -c "import socket; s = socket.create_connection(('203.0.113.7', 80), 5); s.sendall(b'GET / HTTP/1.0\r\n\r\n'); s.recv(100)"
MK
http_up
make
http_down
