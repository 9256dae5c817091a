#!/usr/bin/env bash
# Memory per idle connection: starts a Release Gatehouse with a plain HTTP/1.1 listener and a TLS listener (ALPN h2),
# reads its RSS (and GC heap, with dotnet-counters when installed), opens COUNT idle connections of one kind with
# bench/idle_connections.py (h1: one request answered, then keep-alive; h2: TLS, preface, SETTINGS acknowledged), reads
# them again, checks that a new request is still served, and prints the difference per connection. Then it closes them
# all and reads RSS again every 5 s for RETURN_WAIT seconds (default 40): how much of the burst's memory comes back.
# Loopback only; bounded by COUNT (default 10000) and the keep-alive timeout (10 min here).
#
#   bench/idle.sh              # both kinds, 10,000 connections each, a fresh Gatehouse for each
#   COUNT=2000 KINDS=h2 bench/idle.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-10000}
KINDS=${KINDS:-"h1 h2"}
HTTP_PORT=${HTTP_PORT:-18280}
TLS_PORT=${TLS_PORT:-18281}
ulimit -n "$(ulimit -Hn)" # each process holds COUNT sockets (plus its own): COUNT must stay below the hard limit

dotnet build -c Release -nologo -v q "$ROOT/src/Gatehouse/Gatehouse.csproj" >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-idle.XXXXXX")
trap 'kill $GATEHOUSE_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat >"$WORK/gatehouse.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $HTTP_PORT }, { "address": "127.0.0.1", "port": $TLS_PORT, "tls": {} } ],
  "tls": { "certificates": [ { "certificate": "$WORK/cert.pem", "key": "$WORK/key.pem", "default": true } ], "redirectHttp": false },
  "limits": { "maxConnections": $((COUNT * 2)), "keepAliveTimeout": "10m" },
  "accessLog": { "enabled": false },
  "routes": { "app": { "clusterId": "c", "match": { "pathPrefix": "/app" } } },
  "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:9" } } } }
}
JSON

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
heap_mb() {
  local counters=$HOME/.dotnet/tools/dotnet-counters
  [[ -x $counters ]] || { echo "n/a"; return; }
  "$counters" collect -p "$1" --counters System.Runtime --format csv -o "$WORK/counters.csv" --duration 00:00:03 >/dev/null 2>&1 || true
  # The managed heap after the last collection: the sum over generations of their latest values.
  awk -F, '/last_collection.heap.size/ {v[$3] = $NF} END {for (g in v) s += v[g]; if (s == 0) print "n/a"; else printf "%.1f", s / 1048576}' "$WORK/counters.csv" 2>/dev/null
}
threads() { awk '/^Threads/ {print $2}' "/proc/$1/status"; }

for kind in $KINDS; do
  dotnet "$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll" run --config "$WORK/gatehouse.json" >"$WORK/out.log" 2>&1 &
  GATEHOUSE_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/idle" && break; sleep 0.1; done
  # Warm both paths (JIT, TLS, HPACK) before the baseline.
  curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/idle"; curl -sk --http2 -o /dev/null "https://localhost:$TLS_PORT/idle"
  sleep 2
  rss0=$(rss_kb $GATEHOUSE_PID) heap0=$(heap_mb $GATEHOUSE_PID) threads0=$(threads $GATEHOUSE_PID)
  port=$HTTP_PORT; [[ $kind == h2 ]] && port=$TLS_PORT
  exec {hold}> >(python3 "$ROOT/bench/idle_connections.py" "$kind" "$port" "$COUNT" >"$WORK/client.out" 2>"$WORK/client.err")
  for _ in $(seq 600); do grep -q '^open' "$WORK/client.out" 2>/dev/null && break; sleep 0.5; done
  opened=$(cat "$WORK/client.out")
  sleep 3
  rss1=$(rss_kb $GATEHOUSE_PID) heap1=$(heap_mb $GATEHOUSE_PID) threads1=$(threads $GATEHOUSE_PID)
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$HTTP_PORT/idle" || echo failed)
  opened_count=$(awk '{print $2}' <<<"$opened")
  echo "$kind: $opened; RSS ${rss0} -> ${rss1} KB ($(( (rss1 - rss0) * 1024 / (opened_count > 0 ? opened_count : 1) )) bytes per connection); GC heap ${heap0} -> ${heap1} MB; threads ${threads0} -> ${threads1}; a new request meanwhile: $status"
  exec {hold}>&-
  returned=""
  for waited in $(seq 5 5 "${RETURN_WAIT:-40}"); do sleep 5; returned+=" +${waited}s $(( $(rss_kb $GATEHOUSE_PID) / 1024 ))"; done
  echo "$kind: after closing them, RSS in MB:$returned (baseline $(( rss0 / 1024 )))"
  kill $GATEHOUSE_PID; wait $GATEHOUSE_PID 2>/dev/null || true
  sed -n 1,3p "$WORK/client.err" >&2
done
