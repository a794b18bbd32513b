#!/usr/bin/env python3
"""Checks over a `vigil record` trace for tests/live/record.t.sh.

usage: record_check.py CHECK TRACE [ARGS...]
Prints nothing and exits 0 when the check holds; prints why and exits 1 otherwise.
Every check first parses every line with json.loads (strict: raw control characters in
strings are errors), so each one also checks that the trace is valid NDJSON.
"""
import json
import sys


def load(path):
    events = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                events.append(json.loads(raw.decode("utf-8")))
            except (UnicodeDecodeError, ValueError) as e:
                fail(f"{path}:{n}: not valid JSON: {e}")
    return events


def fail(msg):
    print(msg)
    sys.exit(1)


def g(ev, dotted, default=None):
    cur = ev
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def execs(events, name=None):
    return [e for e in events if g(e, "event.action") == "exec"
            and (name is None or g(e, "process.name") == name)]


def connects(events):
    return [e for e in events if g(e, "event.action") == "connection_attempted"]


def one(lst, what):
    if len(lst) != 1:
        fail(f"expected one {what}, found {len(lst)}")
    return lst[0]


def check_tcp(events, shell):
    """Done-when 2: shell exec, true exec under it, connect to 127.0.0.1:1 by the shell."""
    sh = one(execs(events, shell), f"exec of {shell}")
    tr = one(execs(events, "true"), "exec of true")
    if g(tr, "process.parent.entity_id") != g(sh, "process.entity_id"):
        fail(f"true's parent entity id {g(tr, 'process.parent.entity_id')} != "
             f"{shell}'s entity id {g(sh, 'process.entity_id')}")
    if g(tr, "process.parent.pid") != g(sh, "process.pid"):
        fail("true's parent pid is not the shell's pid")
    if g(sh, "event.category") != ["process"] or g(sh, "event.type") != ["start"]:
        fail("exec event category/type")
    c = one(connects(events), "connect event")
    want = {"destination.ip": "127.0.0.1", "destination.port": 1,
            "event.category": ["network"], "network.transport": "tcp",
            "network.type": "ipv4", "network.direction": "egress"}
    for k, v in want.items():
        if g(c, k) != v:
            fail(f"connect {k} = {g(c, k)!r}, want {v!r}")
    for k in ("process.name", "process.pid", "process.entity_id", "process.executable"):
        if g(c, k) != g(sh, k) or g(c, k) is None:
            fail(f"connect {k} = {g(c, k)!r}, the shell's is {g(sh, k)!r}")
    if g(c, "vigil.connect.result") is None or g(c, "event.outcome") not in ("success", "failure"):
        fail("connect result missing")
    if g(c, "vigil.connect.result") != "success" and g(c, "event.outcome") != "failure":
        fail("a failed connect must have event.outcome failure")


def check_literal(events, expect_connect):
    """The issue's literal command: `sh -c 'true; exec 3<>/dev/tcp/...'`."""
    sh = one(execs(events, "sh"), "exec of sh")
    if not g(sh, "process.executable"):
        fail("sh has no executable")
    n = len(connects(events))
    if expect_connect == "yes" and n != 1:
        fail(f"sh is bash-like here: expected one connect, found {n}")
    if expect_connect == "no" and n != 0:
        fail(f"sh has no /dev/tcp here: expected no connect, found {n}")


def check_loop(events, count):
    """Done-when 3: `count` execs of true, each a child of the one sh."""
    count = int(count)
    sh = one(execs(events, "sh"), "exec of sh")
    trues = execs(events, "true")
    if len(trues) != count:
        fail(f"{len(trues)} exec events of true, want {count}")
    eid = g(sh, "process.entity_id")
    bad = [t for t in trues if g(t, "process.parent.entity_id") != eid
           or g(t, "process.parent.name") != "sh"]
    if bad:
        fail(f"{len(bad)} execs of true with the wrong parent, e.g. {g(bad[0], 'process.parent')}")
    ids = {g(t, "process.entity_id") for t in trues}
    if len(ids) != count:
        fail(f"{len(ids)} distinct entity ids for {count} processes")
    ends = [e for e in events if g(e, "event.action") == "end" and g(e, "process.name") == "true"]
    if len(ends) != count:
        fail(f"{len(ends)} end events of true, want {count}")


def find_connect(events, ip, port, transport):
    for c in connects(events):
        if (g(c, "destination.ip") == ip and g(c, "destination.port") == port
                and g(c, "network.transport") == transport):
            return c
    fail(f"no {transport} connect to {ip}:{port} among "
         f"{[(g(c, 'destination.ip'), g(c, 'destination.port'), g(c, 'network.transport')) for c in connects(events)]}")


def check_net(events, listen_port):
    """Done-when 4: IPv6 and UDP connects, with transport, type and result."""
    listen_port = int(listen_port)
    c = find_connect(events, "::1", 1, "tcp")
    if g(c, "network.type") != "ipv6" or g(c, "vigil.connect.result") != "ECONNREFUSED":
        fail(f"::1 tcp: type {g(c, 'network.type')}, result {g(c, 'vigil.connect.result')}")
    if g(c, "event.outcome") != "failure":
        fail("refused connect: outcome must be failure")
    c = find_connect(events, "127.0.0.1", 9, "udp")
    if g(c, "network.type") != "ipv4" or g(c, "event.outcome") != "success":
        fail(f"udp v4: type {g(c, 'network.type')}, outcome {g(c, 'event.outcome')}")
    if g(c, "source.ip") != "127.0.0.1" or not g(c, "source.port"):
        fail(f"udp v4: source {g(c, 'source')}")
    c = find_connect(events, "::1", 9, "udp")
    if g(c, "network.type") != "ipv6" or g(c, "event.outcome") != "success":
        fail(f"udp v6: type {g(c, 'network.type')}, outcome {g(c, 'event.outcome')}")
    c = find_connect(events, "127.0.0.1", listen_port, "tcp")
    if g(c, "vigil.connect.result") != "success" or g(c, "event.outcome") != "success":
        fail(f"tcp to a listener: result {g(c, 'vigil.connect.result')}")
    if g(c, "source.ip") != "127.0.0.1" or not g(c, "source.port"):
        fail(f"tcp to a listener: source {g(c, 'source')}")
    nb = [x for x in connects(events) if g(x, "destination.port") == listen_port
          and g(x, "vigil.connect.result") != "success"]
    for x in nb:  # the non-blocking one, when it did not complete at once
        if g(x, "vigil.connect.result") != "EINPROGRESS" or g(x, "event.outcome") != "unknown":
            fail(f"non-blocking connect: {g(x, 'vigil.connect.result')} {g(x, 'event.outcome')}")
    for x in connects(events):
        if g(x, "process.name") != "python3" or not g(x, "process.entity_id"):
            fail(f"connect attributed to {g(x, 'process.name')}")


def check_argv(events, big):
    """Done-when 5: odd arguments survive as JSON; 100 KB of argv is cut with a flag."""
    big = int(big)
    echoes = execs(events, "echo")
    if len(echoes) != 2:
        fail(f"expected 2 execs of echo, found {len(echoes)}")
    small = [e for e in echoes if not g(e, "process.args_truncated")]
    large = [e for e in echoes if g(e, "process.args_truncated") is True]
    if len(small) != 1 or len(large) != 1:
        fail("expected one truncated and one complete exec of echo")
    args = g(small[0], "process.args")
    want = ["/bin/echo", "a b", "q\"uote's", "new\nline", "tab\there", "\ufffd\ufffd bad",
            "back\\slash", ""]
    if args != want:
        fail(f"args {args!r}, want {want!r}")
    if g(small[0], "process.args_count") != len(want):
        fail("args_count")
    largs = g(large[0], "process.args")
    total = sum(len(a.encode()) + 1 for a in largs)
    if total >= big or total < 1024:
        fail(f"truncated argv holds {total} bytes of {big}")
    if largs[:2] != ["/bin/echo", "first"]:
        fail(f"truncated argv starts {largs[:2]!r}")


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    check, path, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    events = load(path)
    if check == "valid":
        return
    fn = {"tcp": check_tcp, "literal": check_literal, "loop": check_loop, "net": check_net,
          "argv": check_argv}.get(check)
    if not fn:
        fail(f"unknown check {check}")
    fn(events, *rest)


if __name__ == "__main__":
    main()
