#!/usr/bin/env bash
# Soak: mixed load on loopback against a Release Gatehouse for DURATION seconds (default 60; the issue asks for an hour:
# DURATION=3600), while
#   - its config is rewritten (and so reloaded) every RELOAD_EVERY s (10; a response header changes, so each reload is real);
#   - the TLS listener's certificate and key files are replaced by a new openssl-made pair every CERT_EVERY s (30), and
#     3 s later a TLS client checks that the new certificate is the one served;
#   - one of the two backends is killed (SIGKILL) every RESTART_EVERY s (60), kept down 3 s and restarted, the two in
#     turn, so the other one is always up: retries and health checks should hide the restart, except for a response
#     already under way from the killed one and WebSockets open to it;
#   - the cache (8 MB) churns: misses are distinct 100 KB URLs (about 80 fill it), evicting within minutes.
# Load, bounded: one curl at a time per kind (HTTP/1.1 GET, HTTP/2-over-TLS GET, cache hit, cache miss, 64 KB upload),
# and WebSockets (bench/soak/ws_client.py): 4 held for the whole run echoing once a second, 2 that reconnect every 3-20 s.
# Every 5 s it samples Gatehouse's RSS, GC heap (last collection, from the admin /metrics), threads, open files, and its
# established connections from clients and to backends; every REPORT_EVERY s (300) it prints an interim summary, and at
# the end the final one (bench/soak/analyze.py): requests per kind, every failed request with its cause (the backend's
# during its restart, otherwise Gatehouse's), and each series' least-squares slope per hour. Not part of CI.
#
#   bench/soak.sh                                      # one minute
#   DURATION=3600 setsid bench/soak.sh >soak.log 2>&1 &  # an hour
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE="$ROOT/bench/soak"
DURATION=${DURATION:-60} RELOAD_EVERY=${RELOAD_EVERY:-10} CERT_EVERY=${CERT_EVERY:-30} RESTART_EVERY=${RESTART_EVERY:-60}
REPORT_EVERY=${REPORT_EVERY:-300}
free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
HTTP_PORT=$(free_port) TLS_PORT=$(free_port) ADMIN_PORT=$(free_port)
declare -A BACKEND_PORT=([d1]=$(free_port) [d2]=$(free_port))

dotnet build -c Release -nologo -v q "$ROOT/src/Gatehouse/Gatehouse.csproj" >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-soak.XXXXXX")
mkdir "$WORK/conf" "$WORK/tls"
PIDS=()
cleanup() {
  kill "${PIDS[@]}" 2>/dev/null || true
  for d in d1 d2; do [[ -s $WORK/$d.pid ]] && kill "$(cat "$WORK/$d.pid")" 2>/dev/null || true; done
  [[ -n ${GATEHOUSE_PID:-} ]] && kill "$GATEHOUSE_PID" 2>/dev/null || true
  echo "work directory: $WORK"
}
trap cleanup EXIT
event() { echo "$(date +%s.%3N) $*" >>"$WORK/events.log"; }
# The certificate files are laid out as a Kubernetes secret volume is: tls/cert.pem -> ..data/cert.pem, ..data -> N, so a
# rotation swaps one symlink and the pair changes atomically (two renames in a row, on a loaded machine, can be more
# than the watcher's 200 ms apart: Gatehouse then logs "the key does not match" once and loads the pair on the second).
new_cert() { # $1: the generation directory in $WORK/tls
  mkdir -p "$WORK/tls/$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost/OU=$1" \
    -addext subjectAltName=DNS:localhost -keyout "$WORK/tls/$1/key.pem" -out "$WORK/tls/$1/cert.pem" 2>/dev/null
}
new_cert 0
ln -s 0 "$WORK/tls/..data"; ln -s ..data/cert.pem "$WORK/tls/cert.pem"; ln -s ..data/key.pem "$WORK/tls/key.pem"

start_backend() { # $1: d1 or d2; returns once it answers
  python3 "$HERE/backend.py" "${BACKEND_PORT[$1]}" </dev/null >>"$WORK/backend-$1.out" 2>&1 &
  echo $! >"$WORK/$1.pid"
  for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${BACKEND_PORT[$1]}/healthz" && break; sleep 0.1; done
  event up "$1"
}
start_backend d1
start_backend d2

write_config() { # $1: the reload generation, visible as a response header so a reload changes something real
  cat >"$WORK/conf/gatehouse.json.tmp" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $HTTP_PORT }, { "address": "127.0.0.1", "port": $TLS_PORT, "tls": {} } ],
  "admin": { "address": "127.0.0.1", "port": $ADMIN_PORT },
  "tls": { "certificates": [ { "certificate": "$WORK/tls/cert.pem", "key": "$WORK/tls/key.pem", "default": true } ], "redirectHttp": false },
  "accessLog": { "enabled": true, "path": "$WORK/access.log" },
  "cache": { "maxBytes": "8MB", "maxEntryBytes": "1MB" },
  "routes": {
    "all": { "clusterId": "c", "match": { "pathPrefix": "/" }, "cache": { "enabled": true },
             "transforms": [ { "ResponseHeader": "X-Soak-Generation", "Set": "$1" } ] },
    "upload": { "clusterId": "c", "match": { "pathPrefix": "/upload" }, "retry": { "allowUnsafeMethods": true, "maxBufferedBodyBytes": 65536 } }
  },
  "clusters": { "c": {
    "destinations": { "d1": { "address": "http://127.0.0.1:${BACKEND_PORT[d1]}" }, "d2": { "address": "http://127.0.0.1:${BACKEND_PORT[d2]}" } },
    "healthCheck": { "active": { "enabled": true, "path": "/healthz", "interval": "2s", "timeout": "1s", "healthyThreshold": 2, "unhealthyThreshold": 2 } }
  } }
}
JSON
  mv "$WORK/conf/gatehouse.json.tmp" "$WORK/conf/gatehouse.json"
}
write_config 0
dotnet "$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll" run --config "$WORK/conf/gatehouse.json" >"$WORK/gatehouse.out" 2>&1 &
GATEHOUSE_PID=$!
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break; sleep 0.1; done
kill -0 $GATEHOUSE_PID || { cat "$WORK/gatehouse.out"; exit 1; }
echo "soak: gatehouse pid $GATEHOUSE_PID, http $HTTP_PORT, tls $TLS_PORT, admin $ADMIN_PORT, backends ${BACKEND_PORT[d1]} ${BACKEND_PORT[d2]}, work $WORK, ${DURATION} s from $(date -u +%T)"

head -c 65536 /dev/urandom >"$WORK/upload.bin"
end=$((SECONDS + DURATION))
load() { # $1: name; the rest: curl arguments (the URL gets NAME-COUNTER appended when it ends in '=')
  local name=$1 n=0 out; shift
  while ((SECONDS < end)); do
    n=$((n + 1))
    local args=("$@")
    [[ ${args[-1]} == *= ]] && args[-1]="${args[-1]}$name-$n"
    out=$(curl -s -o /dev/null -w '%{http_code} %{exitcode} %{errormsg}' --max-time 10 "${args[@]}" 2>&1) || true
    [[ $out == "200 0 "* ]] || echo "$(date +%s.%3N) $name ${args[-1]}: http=${out%% *} exit=$(cut -d' ' -f2 <<<"$out") $(cut -d' ' -f3- <<<"$out")" >>"$WORK/failures.log"
    echo "$name" >>"$WORK/requests.log"
  done
}
load h1 "http://127.0.0.1:$HTTP_PORT/plain" & PIDS+=($!)
load h2 -k --http2 "https://localhost:$TLS_PORT/plain" --resolve "localhost:$TLS_PORT:127.0.0.1" & PIDS+=($!)
load hit "http://127.0.0.1:$HTTP_PORT/cached" & PIDS+=($!)
load miss "http://127.0.0.1:$HTTP_PORT/cachedbig?n=" & PIDS+=($!)
load upload -X POST --data-binary "@$WORK/upload.bin" "http://127.0.0.1:$HTTP_PORT/upload" & PIDS+=($!)
python3 "$HERE/ws_client.py" "$HTTP_PORT" 4 2 "$DURATION" "$WORK" & PIDS+=($!)

( generation=0; while ((SECONDS + RELOAD_EVERY < end)); do sleep "$RELOAD_EVERY"; generation=$((generation + 1)); write_config $generation; event reload $generation; done ) & PIDS+=($!)
( rotation=0; while ((SECONDS + CERT_EVERY < end)); do
    sleep "$CERT_EVERY"; rotation=$((rotation + 1)); new_cert "$rotation"
    ln -sfn "$rotation" "$WORK/tls/..data_tmp"; mv -T "$WORK/tls/..data_tmp" "$WORK/tls/..data"; event cert $rotation
    rm -rf "${WORK:?}/tls/$((rotation - 2))"
    sleep 3
    want=$(openssl x509 -in "$WORK/tls/cert.pem" -noout -fingerprint -sha256)
    got=$(openssl s_client -connect "127.0.0.1:$TLS_PORT" -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>&1 || true)
    if [[ $want != "$got" ]]; then event cert-mismatch $rotation; echo "$(date +%s.%3N) cert-check rotation-$rotation: served ${got:-nothing}, want $want" >>"$WORK/failures.log"; fi
  done ) & PIDS+=($!)
( turn=0; while ((SECONDS + RESTART_EVERY < end)); do
    sleep "$RESTART_EVERY"; d=$( ((turn % 2 == 0)) && echo d1 || echo d2 ); turn=$((turn + 1))
    pid=$(cat "$WORK/$d.pid"); kill -9 "$pid"; event kill "$d"; sleep 3; start_backend "$d"
  done ) 2>/dev/null & PIDS+=($!) # (quiet: bash reports each killed backend)

metric() { # $1: a regular expression for the metric's name (labels summed over)
  awk -v name="^($1)$" '{ n = $1; sub(/\{.*/, "", n) } n ~ name { sum += $NF; seen = 1 } END { if (seen) printf "%.0f", sum }' <<<"$metrics"; }
printf 'seconds\trss_kb\tgc_heap_bytes\tgc_committed_bytes\tthreads\tfds\tclient_connections\tbackend_connections\tcache_bytes\tcache_evictions\n' >"$WORK/samples.tsv"
t0=$SECONDS next_report=$REPORT_EVERY
while ((SECONDS < end)) && kill -0 $GATEHOUSE_PID 2>/dev/null; do
  elapsed=$((SECONDS - t0))
  metrics=$(curl -s --max-time 3 "http://127.0.0.1:$ADMIN_PORT/metrics" || true)
  sample=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$elapsed" "$(awk '/^VmRSS/ {print $2}' /proc/$GATEHOUSE_PID/status)" \
    "$(metric dotnet_gc_last_collection_heap_size_bytes)" "$(metric dotnet_gc_last_collection_memory_committed_size_bytes)" \
    "$(awk '/^Threads/ {print $2}' /proc/$GATEHOUSE_PID/status)" "$(ls /proc/$GATEHOUSE_PID/fd | wc -l)" \
    "$(ss -Htn state established "( sport = :$HTTP_PORT or sport = :$TLS_PORT )" | wc -l)" \
    "$(ss -Htn state established "( dport = :${BACKEND_PORT[d1]} or dport = :${BACKEND_PORT[d2]} )" | wc -l)" \
    "$(metric 'gatehouse_cache_size(_bytes)?')" "$(metric 'gatehouse_cache_evictions(_total)?')")
  echo "$sample" >>"$WORK/samples.tsv"
  echo "sample $(date -u +%T) $sample"
  if ((elapsed >= next_report)); then echo "--- interim at ${elapsed} s"; python3 "$HERE/analyze.py" "$WORK" || true; next_report=$((next_report + REPORT_EVERY)); fi
  sleep 5
done
wait "${PIDS[@]}" 2>/dev/null || true

echo "=== soak: ${DURATION} s at commit $(git -C "$ROOT" rev-parse --short HEAD), gatehouse alive: $(kill -0 $GATEHOUSE_PID 2>/dev/null && echo yes || echo no)"
python3 "$HERE/analyze.py" "$WORK"
echo "gatehouse warnings and errors: $(grep -cE '(warn|fail|crit):' "$WORK/gatehouse.out" || true)"
grep -E '(warn|fail|crit):' "$WORK/gatehouse.out" | sed -E 's/^[0-9T:.Z-]+ //; s/\(request [^)]*\)/(request)/; s/soak\.[A-Za-z0-9]+/soak.X/g; s/[0-9]+ ms/N ms/g' \
  | cut -c1-170 | sort | uniq -c | sort -rn | head -15 || true
