#!/usr/bin/env bash
# h2c and gRPC throughput: Gatehouse against nginx's grpc_pass (Debian's nginx has the grpc module), in one run.
# Clients speak cleartext HTTP/2 with prior knowledge (h2load) to each proxy, which speaks to the bench backend:
#   h2c-small   GET /small (13 bytes); both proxies send it to the backend over HTTP/1.1 keep-alive
#   grpc-unary  POST /bench.Echo/Unary, a 100-byte gRPC message echoed with grpc-status 0 in the trailers; both
#               proxies send it over h2c (Gatehouse: an h2c:// cluster; nginx: grpc_pass grpc://)
#   direct      the same two scenarios straight to the backend, as the ceiling
# Each measurement is h2load for DURATION seconds (after 2 s of warm-up), CONNECTIONS connections with STREAMS
# concurrent streams each ("failed" counts h2load's failed requests, streams still open when the time is up included,
# plus non-2xx answers); contenders alternate for ROUNDS rounds and the best round is kept. Numbers on a loaded
# machine are indicative only.
#
#   bench/grpc.sh                      # about 2 minutes plus the Release builds
#   DURATION=3 ROUNDS=1 bench/grpc.sh  # smoke test
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-10}
NGINX=${NGINX:-/usr/sbin/nginx}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-grpc-bench.XXXXXX")
PIDS=()

die() { echo "grpc.sh: $*" >&2; exit 1; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

command -v h2load >/dev/null || die "h2load is not installed (apt-get install nghttp2-client)"
command -v curl >/dev/null || die "curl is not installed"
[[ -x $NGINX ]] || die "nginx is not installed"

# Ports below the ephemeral range, picked free now (nothing else binds them in between in practice).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
BACKEND_HTTP=$(free_port); BACKEND_H2C=$(free_port); GATEHOUSE=$(free_port); NGINX_PORT=$(free_port)

echo "building (Release)..." >&2
for project in src/Gatehouse bench/Backend; do
    dotnet build -c Release -nologo -v q "$ROOT/$project" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "build of $project failed"; }
done

BENCH_H2C_PORT=$BACKEND_H2C dotnet "$ROOT/bench/Backend/bin/Release/net10.0/bench-backend.dll" "$BACKEND_HTTP" >"$WORK/backend.out" 2>&1 &
PIDS+=($!)

cat >"$WORK/gatehouse.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $GATEHOUSE, "protocols": "h2" } ],
  "accessLog": { "enabled": false },
  "limits": { "maxConnections": 100000 },
  "routes": {
    "grpc": { "clusterId": "grpc", "match": { "pathPrefix": "/bench.Echo" } },
    "http": { "clusterId": "http", "match": { "pathPrefix": "/" } }
  },
  "clusters": {
    "grpc": { "destinations": { "d1": { "address": "h2c://127.0.0.1:$BACKEND_H2C" } } },
    "http": { "destinations": { "d1": { "address": "http://127.0.0.1:$BACKEND_HTTP" } } }
  }
}
JSON
dotnet "$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll" run --config "$WORK/gatehouse.json" >"$WORK/gatehouse.out" 2>"$WORK/gatehouse.err" &
PIDS+=($!)

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    upstream http_backend { server 127.0.0.1:$BACKEND_HTTP; keepalive 64; }
    upstream grpc_backend { server 127.0.0.1:$BACKEND_H2C; keepalive 64; }
    server {
        listen 127.0.0.1:$NGINX_PORT http2;
        # nginx ends a client connection after keepalive_requests (1,000 by default, HTTP/2 streams included) with a
        # GOAWAY, and h2load's timed mode never reconnects: nginx then measured 0 req/s. As high as Gatehouse's (none).
        keepalive_requests 10000000;
        location /bench.Echo/ { grpc_pass grpc://grpc_backend; }
        location / { proxy_pass http://http_backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.out" 2>&1 &
PIDS+=($!)

# A gRPC message: flag 0, length 100, then 100 bytes (field 1, a 98-byte string).
{ printf '\x00\x00\x00\x00\x64\x0a\x62'; head -c 98 /dev/zero | tr '\0' 'x'; } >"$WORK/unary.bin"

wait_for() { for _ in $(seq 1 200); do curl -s --http2-prior-knowledge -o /dev/null "http://127.0.0.1:$1/small" && return 0; sleep 0.1; done; die "nothing answers on port $1"; }
wait_for "$BACKEND_H2C"; wait_for "$GATEHOUSE"; wait_for "$NGINX_PORT"

# Each contender must answer the call whole: message and grpc-status 0 in the trailers.
check_grpc() {
    local out
    out=$(curl -s --http2-prior-knowledge -D - -o /dev/null --data-binary @"$WORK/unary.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$1/bench.Echo/Unary" | tr -d '\r')
    grep -q '^grpc-status: 0' <<<"$out" || die "$2 did not end the gRPC call with grpc-status 0: $out"
}
check_grpc "$BACKEND_H2C" direct; check_grpc "$GATEHOUSE" gatehouse; check_grpc "$NGINX_PORT" nginx

# h2load: prints "finished in …, N req/s, …" and "requests: … N succeeded, N failed".
measure() { # port scenario
    local args=(-D "$DURATION" --warm-up-time=2 -c "$CONNECTIONS" -m "$STREAMS")
    if [[ $2 == grpc-unary ]]; then
        h2load "${args[@]}" -d "$WORK/unary.bin" -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$1/bench.Echo/Unary"
    else
        h2load "${args[@]}" "http://127.0.0.1:$1/small"
    fi
}

declare -A BEST FAILED
for round in $(seq 1 "$ROUNDS"); do
    for scenario in h2c-small grpc-unary; do
        for contender in gatehouse nginx direct; do
            case $contender in gatehouse) port=$GATEHOUSE ;; nginx) port=$NGINX_PORT ;; direct) port=$BACKEND_H2C ;; esac
            [[ $contender == direct && $scenario == h2c-small ]] && port=$BACKEND_H2C
            out=$(measure "$port" "$scenario" 2>&1)
            rps=$(awk '/^finished in/ {gsub(",", "", $4); print int($4)}' <<<"$out")
            failed=$(awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) print $i}' <<<"$out" | head -n 1)
            non2xx=$(awk '/^status codes:/ {gsub(",", ""); print $5 + $7 + $9}' <<<"$out")
            echo "round $round $scenario $contender: ${rps:-?} req/s, failed ${failed:-?}, non-2xx ${non2xx:-?}" >&2
            key="$scenario $contender"
            (( ${rps:-0} > ${BEST[$key]:-0} )) && BEST[$key]=${rps:-0}
            FAILED[$key]=$(( ${FAILED[$key]:-0} + ${failed:-0} + ${non2xx:-0} ))
        done
    done
done

echo
echo "| scenario | gatehouse req/s | nginx req/s | backend direct req/s | failed (g/n/d) |"
echo "|---|---:|---:|---:|---|"
for scenario in h2c-small grpc-unary; do
    echo "| $scenario | ${BEST[$scenario gatehouse]} | ${BEST[$scenario nginx]} | ${BEST[$scenario direct]} | ${FAILED[$scenario gatehouse]}/${FAILED[$scenario nginx]}/${FAILED[$scenario direct]} |"
done
echo
echo "nginx error log lines: $(wc -l <"$WORK/nginx/error.log"); first: $(head -n 1 "$WORK/nginx/error.log")"
echo "h2load ${DURATION}s per run, $CONNECTIONS connections x $STREAMS streams, best of $ROUNDS rounds; $(nproc) cores; $("$NGINX" -v 2>&1 | sed 's/.*: //'); dotnet $(dotnet --version)"
