# check.py — assertions on recorded traces (tests/wine/wine.t.sh). Prints a reason and exits
# 1 when the check fails.
#   check.py eight TRACE NAME:PORT...   each connect to PORT is by the process that exec'd
#                                       ./NAME (entity id) and is titled NAME (Wine's name)
#   check.py xbuild TRACE               the Exec task's sh is a child of xbuild's mono, and
#                                       /bin/true a child of that sh
#   check.py alerts ALERTS              "rule_id view" lines, sorted, of an alert file
import json, sys


def events(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def get(e, k):
    for p in k.split("."):
        if not isinstance(e, dict) or p not in e:
            return None
        e = e[p]
    return e


def eight(trace, pairs):
    evs = events(trace)
    bad = []
    for pair in pairs:
        name, port = pair.split(":")
        execs = {get(e, "process.entity_id") for e in evs
                 if get(e, "event.action") == "exec" and "./" + name in (get(e, "process.args") or [])}
        conns = [e for e in evs if get(e, "event.action") == "connection_attempted"
                 and get(e, "destination.port") == int(port)]
        if len(conns) != 1:
            bad.append("%s: %d connects to port %s" % (name, len(conns), port))
            continue
        c = conns[0]
        if get(c, "process.title") != name or get(c, "process.entity_id") not in execs:
            bad.append("%s: connect attributed to %s (title %s, entity %s; exec entities %s)" % (
                name, get(c, "process.name"), get(c, "process.title"),
                get(c, "process.entity_id"), sorted(execs)))
        elif get(c, "vigil.proxy.name") != "wineserver64":
            bad.append("%s: no vigil.proxy (wineserver) on the connect" % name)
    print("%d of %d attributed right" % (len(pairs) - len(bad), len(pairs)))
    for b in bad:
        print("  " + b)
    return not bad


def xbuild(trace):
    evs = [e for e in events(trace) if get(e, "event.action") == "exec"]
    mono = [e for e in evs if any(a.endswith("xbuild.exe") for a in get(e, "process.args") or [])]
    true = [e for e in evs if (get(e, "process.args") or [])[-1:] == ["vigil-exec-task"]]
    if not mono or not true:
        print("no xbuild mono exec (%d) or no Exec task exec (%d)" % (len(mono), len(true)))
        return False
    t = true[-1]
    sh = [e for e in evs if get(e, "process.entity_id") == get(t, "process.parent.entity_id")]
    if not sh:
        print("the task's parent %s was not exec'd in the trace" % get(t, "process.parent.entity_id"))
        return False
    sh = sh[-1]
    ok = get(sh, "process.parent.entity_id") == get(mono[-1], "process.entity_id")
    print("chain: %s <- %s %s <- %s" % (get(t, "process.name"), get(sh, "process.name"),
                                        get(sh, "process.args"), get(sh, "process.parent.name")))
    return ok


def alerts(path):
    lines = sorted("%s %s" % (get(a, "kibana.alert.rule.rule_id"), get(a, "vigil.view"))
                   for a in events(path))
    print("\n".join(lines))
    return True


if __name__ == "__main__":
    what = sys.argv[1]
    ok = {"eight": lambda: eight(sys.argv[2], sys.argv[3:]),
          "xbuild": lambda: xbuild(sys.argv[2]),
          "alerts": lambda: alerts(sys.argv[2])}[what]()
    sys.exit(0 if ok else 1)
