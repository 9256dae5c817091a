#!/usr/bin/env bash
# Memory under concurrent uploads: starts a Release Gatehouse in front of a Python backend that reads every body
# (bench/uploads.py), then, for each route, sends COUNT concurrent uploads of SIZE bytes, each spread over UPLOAD_SECONDS (16
# pieces), so that all are in flight together. Reports Gatehouse's RSS (idle baseline, and the peak: VmHWM, reset before
# each run) and its GC heap (the admin API's dotnet_gc_last_collection_heap_size_bytes, sampled every 0.5 s), and the
# difference per upload. Routes: /buffered (the default requestBodyBufferBytes, 64 KB) and /streamed (0: no buffer).
# Each with Content-Length (a length past the buffer streams at once) and chunked (read into the buffer up to 64 KB,
# then streamed on: FRAMINGS). Loopback only; bounded by COUNT (default 1000) and UPLOAD_SECONDS (default 20) plus 120 s per run.
# (Not SECONDS: bash sets that to the seconds since the shell started, which paced every upload so far.)
#
#   bench/uploads.sh
#   COUNT=200 SIZE=262144 UPLOAD_SECONDS=5 ROUTES=buffered bench/uploads.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-1000}
SIZE=${SIZE:-1048576}
SECONDS_PER_UPLOAD=${UPLOAD_SECONDS:-20}
ROUTES=${ROUTES:-"buffered streamed"}
FRAMINGS=${FRAMINGS:-"length chunked"} # Content-Length (longer than the buffer: streams at once) or chunked (buffered up to 64 KB first)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}
ADMIN_PORT=${ADMIN_PORT:-$(free_port)}
BACKEND_PORT=${BACKEND_PORT:-$(free_port)}
ulimit -n "$(ulimit -Hn)" # Gatehouse holds 2 x COUNT sockets, the client and the backend COUNT each

[[ ${SKIP_BUILD:-} ]] || dotnet build -c Release -nologo -v q "$ROOT/src/Gatehouse/Gatehouse.csproj" >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-uploads.XXXXXX")
GATEHOUSE_PID= BACKEND_PID=
trap 'kill $GATEHOUSE_PID $BACKEND_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
cat >"$WORK/gatehouse.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $PORT } ],
  "admin": { "address": "127.0.0.1", "port": $ADMIN_PORT },
  "limits": { "maxConnections": $((COUNT * 2 + 100)) },
  "accessLog": { "enabled": false },
  "routes": {
    "buffered": { "clusterId": "c", "match": { "pathPrefix": "/buffered" } },
    "streamed": { "clusterId": "c", "match": { "pathPrefix": "/streamed" }, "limits": { "requestBodyBufferBytes": 0 } }
  },
  "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:$BACKEND_PORT" } } } }
}
JSON


rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
heap_kb() {
  { curl -s --max-time 2 "http://127.0.0.1:$ADMIN_PORT/metrics" || true; } \
    | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $NF} END {printf "%d", s / 1024}'
}

for framing in $FRAMINGS; do
for route in $ROUTES; do
  python3 "$ROOT/bench/uploads.py" backend "$BACKEND_PORT" >"$WORK/backend.out" 2>&1 &
  BACKEND_PID=$!
  dotnet "$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll" run --config "$WORK/gatehouse.json" >"$WORK/gatehouse.log" 2>&1 &
  GATEHOUSE_PID=$!
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$ADMIN_PORT/metrics" && break; sleep 0.1; done
  # Warm the path (JIT, connection pool) with a few small runs before the baseline.
  python3 "$ROOT/bench/uploads.py" client "$PORT" "/$route" 20 "$SIZE" 1 "$framing" >/dev/null
  sleep 2
  rss0=$(rss_kb $GATEHOUSE_PID) heap0=$(heap_kb)
  echo 5 >"/proc/$GATEHOUSE_PID/clear_refs" # resets VmHWM to the current RSS
  python3 "$ROOT/bench/uploads.py" client "$PORT" "/$route" "$COUNT" "$SIZE" "$SECONDS_PER_UPLOAD" "$framing" >"$WORK/client.out" 2>&1 &
  client=$!
  peak_rss=$rss0 peak_heap=$heap0
  while kill -0 $client 2>/dev/null; do
    r=$(rss_kb $GATEHOUSE_PID) h=$(heap_kb)
    ((r > peak_rss)) && peak_rss=$r
    ((h > peak_heap)) && peak_heap=$h
    sleep 0.5
  done
  wait $client || true
  hwm=$(hwm_kb $GATEHOUSE_PID)
  ((hwm > peak_rss)) && peak_rss=$hwm
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/buffered/after" -d x || echo failed)
  echo "$route, $framing: $(tail -n 1 "$WORK/client.out"); the backend had up to $(tail -n 1 "$WORK/backend.out" | awk '{print $2}') in flight at once"
  echo "$route, $framing: RSS ${rss0} KB idle -> ${peak_rss} KB peak (+$(( (peak_rss - rss0) / 1024 )) MB, $(( (peak_rss - rss0) / COUNT )) KB per upload); GC heap ${heap0} -> ${peak_heap} KB peak (+$(( (peak_heap - heap0) / 1024 )) MB, $(( (peak_heap - heap0) / COUNT )) KB per upload); a request afterwards: $status"
  kill $GATEHOUSE_PID; wait $GATEHOUSE_PID 2>/dev/null || true
  kill $BACKEND_PID; wait $BACKEND_PID 2>/dev/null || true
  GATEHOUSE_PID= BACKEND_PID=
done
done
