# Summarises a soak's work directory: requests per kind, every failed request with its cause, and the least-squares
# slope per hour of each sampled series (over the whole run and after the first 5 minutes of warm-up).
# Usage: analyze.py WORKDIR [interim]
import collections, os, sys

work = sys.argv[1]
def lines(name):
    path = os.path.join(work, name)
    return open(path).read().splitlines() if os.path.exists(path) else []

kinds = collections.Counter(l for l in lines("requests.log") if l)
print("requests: %d (%s)" % (sum(kinds.values()), ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))

events = [l.split() for l in lines("events.log")]
counts = collections.Counter(e[1] for e in events)
print("events: %d reloads, %d certificate rotations, %d backend kills, %d cert checks failed"
      % (counts["reload"], counts["cert"], counts["kill"], counts["cert-mismatch"]))
windows, down = [], {}  # a backend's restart window: from its kill to 5 s after it listens again
for e in events:
    t = float(e[0])
    if e[1] == "kill": down[e[2]] = t
    elif e[1] == "up" and e[2] in down: windows.append((down.pop(e[2]) - 0.5, t + 5, e[2]))
windows += [(t - 0.5, float("inf"), name) for name, t in down.items()]
changes = [(float(e[0]), e[1]) for e in events if e[1] in ("reload", "cert")]

def cause(t, kind, text):
    if kind == "cert-check":
        return "GATEHOUSE: still served the previous certificate 3 s after a rotation"
    for start, stop, name in windows:
        if start <= t <= stop:
            if kind.startswith("ws"):
                return "backend's: WebSocket to %s cut by its restart" % name
            if "exit=18" in text or "exit=52" in text or "exit=56" in text:
                return "backend's: %s killed mid-response (not replayable)" % name
            return "GATEHOUSE? during %s's restart, not hidden by the other backend" % name
    near = [what for when, what in changes if abs(when - t) <= 3]
    return "GATEHOUSE: no backend down" + (" (within 3 s of a %s)" % "/".join(sorted(set(near))) if near else "")

failures = [l.split(" ", 2) for l in lines("failures.log") if l]
by_cause = collections.Counter()
for t, kind, text in failures:
    c = cause(float(t), kind, text)
    by_cause[(c, kind, text.split(": ", 1)[-1][:90])] += 1
print("failed requests: %d" % len(failures))
for (c, kind, text), n in sorted(by_cause.items(), key=lambda kv: -kv[1]):
    print("  %5d  %-8s %s  [%s]" % (n, kind, text, c))

rows = [l.split("\t") for l in lines("samples.tsv")]
if len(rows) > 2:
    header, data = rows[0], [[float(v or 0) for v in r] for r in rows[1:] if len(r) == len(rows[0])]
    def slope(points):
        n = len(points)
        if n < 2: return 0.0
        sx = sum(x for x, _ in points); sy = sum(y for _, y in points)
        sxx = sum(x * x for x, _ in points); sxy = sum(x * y for x, y in points)
        d = n * sxx - sx * sx
        return (n * sxy - sx * sy) / d if d else 0.0
    print("series (first -> last, min..max; least-squares slope per hour: whole run / after 5 min / second half):")
    for i, name in enumerate(header[1:], 1):
        pts = [(r[0] / 3600, r[i]) for r in data]
        late = [p for p in pts if p[0] >= 300 / 3600]
        half = [p for p in pts if p[0] >= pts[-1][0] / 2]
        ys = [y for _, y in pts]
        part = lambda points: "%+.0f" % slope(points) if len(points) > 2 else "n/a"
        print("  %-20s %12.0f -> %12.0f  (%.0f..%.0f)  slope %s / %s / %s per hour"
              % (name, ys[0], ys[-1], min(ys), max(ys), part(pts), part(late), part(half)))
