# listen.py READY PORT... — accept and close TCP connections on every address of this network
# namespace on each PORT until killed or 60 s have passed; create READY once listening.
import select, socket, sys, time

socks = []
for p in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p)))
    s.listen(64)
    socks.append(s)
open(sys.argv[1], "w").close()
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select(socks, [], [], 1.0)
    for s in r:
        c, _ = s.accept()
        c.close()
