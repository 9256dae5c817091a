#!/usr/bin/env bash
# File-descriptor exhaustion: runs a Release Gatehouse under `prlimit --nofile=LIMIT` (default 256), opens more idle
# keep-alive connections than that with bench/idle_connections.py, and checks what happens: is an already open
# connection still served, is a new one refused (and how), does Gatehouse stay up, what does it log, and is it served
# again once the connections close. Loopback only; bounded by COUNT (default 400).
#
#   bench/fd-exhaustion.sh
#   LIMIT=512 COUNT=700 bench/fd-exhaustion.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIMIT=${LIMIT:-256}
COUNT=${COUNT:-400}
PORT=${PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}

dotnet build -c Release -nologo -v q "$ROOT/src/Gatehouse/Gatehouse.csproj" >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-fd.XXXXXX")
trap 'kill $GATEHOUSE_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat >"$WORK/gatehouse.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $PORT } ],
  "limits": { "keepAliveTimeout": "10m" },
  "accessLog": { "enabled": false },
  "routes": { "app": { "clusterId": "c", "match": { "pathPrefix": "/app" } } },
  "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:9" } } } }
}
JSON
prlimit --nofile="$LIMIT:$LIMIT" dotnet "$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll" run --config "$WORK/gatehouse.json" >"$WORK/out.log" 2>&1 &
GATEHOUSE_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/idle" && break; sleep 0.1; done
kill -0 $GATEHOUSE_PID 2>/dev/null || { cat "$WORK/out.log"; exit 1; }
echo "gatehouse pid $GATEHOUSE_PID, nofile $LIMIT, fds open at start: $(ls /proc/$GATEHOUSE_PID/fd | wc -l)"

# One connection opened before the exhaustion, used again during it (HTTP/1.1 keep-alive, python's http.client).
exec {before_in}< <(python3 - "$PORT" <<'PY'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
c.request("GET", "/before"); r = c.getresponse(); r.read(); print(f"before: {r.status}", flush=True)
time.sleep(8)
try:
    c.request("GET", "/during"); r = c.getresponse(); r.read(); print(f"existing connection during exhaustion: {r.status}", flush=True)
except Exception as e:
    print(f"existing connection during exhaustion: {e!r}", flush=True)
PY
)
sleep 1
exec {hold}> >(python3 "$ROOT/bench/idle_connections.py" h1 "$PORT" "$COUNT" >"$WORK/client.out" 2>"$WORK/client.err")
for _ in $(seq 120); do grep -q '^open' "$WORK/client.out" 2>/dev/null && break; sleep 0.5; done
echo "attacker: $(cat "$WORK/client.out"); gatehouse fds: $(ls /proc/$GATEHOUSE_PID/fd | wc -l)"
start=$(date +%s.%N)
new=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/new" 2>&1 || true)
echo "a new connection during exhaustion: '${new}' after $(echo "$(date +%s.%N) - $start" | bc) s"
timeout 15 cat <&$before_in || true
exec {hold}>&-
sleep 2
alive=$(kill -0 $GATEHOUSE_PID 2>/dev/null && echo yes || echo no)
after=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/after" || echo failed)
echo "after the connections closed: gatehouse alive: $alive, a new request: $after, fds: $(ls /proc/$GATEHOUSE_PID/fd 2>/dev/null | wc -l)"
echo "log lines: $(wc -l <"$WORK/out.log"); those that are not info:"
grep -v ' info: ' "$WORK/out.log" | cut -c1-240 | sort | uniq -c | sort -rn | head -10
