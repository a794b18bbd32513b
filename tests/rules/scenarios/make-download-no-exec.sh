# R08/R09 negative: downloads into /tmp that are only read, and a downloaded tool run from the
# build tree
cp /usr/bin/id www/update-helper
echo data >www/data.txt
cat >Makefile <<'MK'
all:
	curl -s -o /tmp/vigil-rt-data.txt http://repo.example.test/data.txt; cat /tmp/vigil-rt-data.txt; echo ok
	wget -q -O tool http://repo.example.test/update-helper && chmod +x tool && ./tool
	curl -s -o tool2 http://repo.example.test/update-helper; chmod +x tool2; ./tool2; echo ok
MK
http_up
make
http_down
rm -f /tmp/vigil-rt-data.txt
