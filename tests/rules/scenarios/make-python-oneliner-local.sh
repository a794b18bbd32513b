# R05/R06/R07 negative: recipes run python3 -c for ordinary work and a local test server check
cat >Makefile <<'MK'
SHELL := /bin/bash
all:
	python3 -c "import sys; print(sys.version_info[:2])"
	python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/').read()"
	echo check; python3 -c "import socket; socket.create_connection(('127.0.0.1', 8000), 5).close()"; echo ok
MK
http_up
make
http_down
