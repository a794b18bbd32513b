# R03/R04 negative: make fetching a test fixture from a local server by name, both as a simple
# command and inside a multi-command recipe
echo fixture >www/fixture.txt
cat >Makefile <<'MK'
all:
	curl -s -o fixture.txt http://localhost:8000/fixture.txt
	echo fetching; curl -s http://localhost:8000/fixture.txt -o fixture2.txt; echo done
MK
http_up
make
http_down
