#!/usr/bin/env python3
"""vm/expect.py EXPECT TRACE — check a recorded trace (ECS NDJSON) against a scenario's
expect.txt. Stand-in for `vigil test` until rule tests run in vm/check.sh.

expect.txt lines (# comments, blank lines ignored):
    exec PROGRAM [ARG...]             an exec event of PROGRAM whose args contain every ARG;
                                      PROGRAM with a / is the path executed (process.executable,
                                      or vigil.exec.filename: a busybox applet's symlink) and
                                      without one, process.name
    connect IP PORT [PROCESS_NAME]    a network event (connection attempt) to IP:PORT
    noexec EXECUTABLE [ARG...]        no such exec event
    noconnect IP PORT [PROCESS_NAME]  no such network event
Prints one line per expectation (ok / MISSING / UNEXPECTED) and exits 1 when any failed.
"""
import json
import sys


def get(ev, dotted):
    """A field by dotted name, from nested objects or flat dotted keys."""
    if dotted in ev:
        return ev[dotted]
    cur = ev
    for part in dotted.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def is_exec(ev):
    if "exec" in as_list(get(ev, "event.action")):
        return True
    return "process" in as_list(get(ev, "event.category")) and "start" in as_list(
        get(ev, "event.type")) and get(ev, "event.action") in (None, "exec")


def is_connect(ev):
    return "network" in as_list(get(ev, "event.category")) and get(ev, "destination.ip") is not None


def match_exec(ev, words):
    if not is_exec(ev):
        return False
    if "/" in words[0]:
        if words[0] not in (get(ev, "process.executable"), get(ev, "vigil.exec.filename")):
            return False
    elif get(ev, "process.name") != words[0]:
        return False
    args = [str(a) for a in as_list(get(ev, "process.args"))]
    return all(w in args for w in words[1:])


def match_connect(ev, words):
    if not is_connect(ev):
        return False
    if str(get(ev, "destination.ip")) != words[0]:
        return False
    if len(words) > 1 and str(get(ev, "destination.port")) != words[1]:
        return False
    return len(words) < 3 or get(ev, "process.name") == words[2]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    events, bad = [], 0
    try:
        with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    ev = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(ev, dict):
                    events.append(ev)
    except OSError as e:
        print(f"no trace: {e}")
        return 1
    failed = 0
    if bad:
        print(f"UNEXPECTED {bad} malformed trace line(s)")
        failed += 1
    print(f"trace: {len(events)} events, {sum(map(is_exec, events))} execs, "
          f"{sum(map(is_connect, events))} connects")
    with open(sys.argv[1], encoding="utf-8") as f:
        for raw in f:
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            kind, rest = words[0], words[1:]
            neg = kind.startswith("no")
            fn = match_exec if kind.endswith("exec") else match_connect
            if kind not in ("exec", "connect", "noexec", "noconnect") or not rest:
                print(f"bad expectation: {raw.strip()}")
                return 2
            n = sum(1 for ev in events if fn(ev, rest))
            if neg and n:
                print(f"UNEXPECTED {' '.join(words)} ({n} events)")
                failed += 1
            elif not neg and not n:
                print(f"MISSING {' '.join(words)}")
                failed += 1
            else:
                print(f"ok {' '.join(words)}" + (f" ({n})" if n else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
