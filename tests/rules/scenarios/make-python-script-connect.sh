# R05 positive: a make recipe runs a Python helper script directly (no shell metacharacters, so
# make execs it itself); the script connects out
cat >fetch_deps.py <<'PY'
import socket
s = socket.create_connection(("203.0.113.7", 80), 5)
s.sendall(b"GET /deps.tar HTTP/1.0\r\n\r\n")
s.recv(100)
PY
cat >Makefile <<'MK'
all:
	python3 fetch_deps.py
MK
http_up
make
http_down
