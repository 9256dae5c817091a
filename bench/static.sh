#!/usr/bin/env bash
# Static files: Gatehouse's files route against nginx's root serving the same folder (docs/static-files.md,
# docs/performance.md). Files: 1 KiB and 100 KiB HTML pages and a 1 MiB binary, GET with keep-alive, no
# Accept-Encoding (so neither side looks for precompressed siblings). nginx as Debian ships it: sendfile on,
# worker_processes auto, access log off on both sides.
#
# Everything listens on 127.0.0.1; every wrk run is bounded by -d (and a timeout around it). Contenders alternate per
# round so a busy machine disturbs both. Before measuring, each must answer every file byte for byte.
#
#   bench/static.sh                        # 3 rounds x 3 files x 2 contenders x 8 s: about 3 minutes
#   ROUNDS=1 DURATION=3 bench/static.sh    # smoke test
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
GATEHOUSE_PORT=${GATEHOUSE_PORT:-18280}
NGINX_PORT=${NGINX_PORT:-18281}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
FILES=(small-1k.html page-100k.html big-1m.bin)

die() { echo "static.sh: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
[[ -x $NGINX ]] || die "nginx is not installed (apt-get install nginx-light)"
command -v curl >/dev/null || die "curl is not installed"
ulimit -n 65536 2>/dev/null || true

GATEHOUSE_DLL=$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building src/Gatehouse (Release)"
    dotnet build -c Release -nologo -v q "$ROOT/src/Gatehouse" >"${TMPDIR:-/tmp}/gatehouse-static-build.log" 2>&1 ||
        die "build failed: $(tail -n 20 "${TMPDIR:-/tmp}/gatehouse-static-build.log")"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-static.XXXXXX")
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SITE=$WORK/site
mkdir -p "$SITE" "$WORK/nginx" "$WORK/gatehouse"
chmod 755 "$SITE"
head -c 1024 /dev/urandom | base64 -w 76 | head -c 1024 >"$SITE/small-1k.html"
head -c 76800 /dev/urandom | base64 -w 76 | head -c 102400 >"$SITE/page-100k.html"
head -c 1048576 /dev/urandom >"$SITE/big-1m.bin"
chmod 644 "$SITE"/*

cat >"$WORK/gatehouse/gatehouse.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1", "port": $GATEHOUSE_PORT } ],
  "accessLog": { "enabled": false },
  "routes": { "site": { "match": { "pathPrefix": "/" }, "files": { "root": "$SITE" } } }
}
JSON
dotnet "$GATEHOUSE_DLL" run --config "$WORK/gatehouse/gatehouse.json" >"$WORK/gatehouse.out" 2>"$WORK/gatehouse.err" &
PIDS+=($!)

cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
worker_rlimit_nofile 65536;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx/client_body;
    proxy_temp_path $WORK/nginx/proxy_temp;
    fastcgi_temp_path $WORK/nginx/fastcgi_temp;
    uwsgi_temp_path $WORK/nginx/uwsgi_temp;
    scgi_temp_path $WORK/nginx/scgi_temp;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $SITE;
    }
}
CONF
"$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
PIDS+=($!)

declare -A PORT=([gatehouse]=$GATEHOUSE_PORT [nginx]=$NGINX_PORT)
for name in gatehouse nginx; do
    for _ in $(seq 1 100); do
        curl -fso /dev/null "http://127.0.0.1:${PORT[$name]}/small-1k.html" && break
        sleep 0.2
    done
    for f in "${FILES[@]}"; do
        curl -fso "$WORK/check" "http://127.0.0.1:${PORT[$name]}/$f" || die "$name does not answer /$f"
        cmp -s "$WORK/check" "$SITE/$f" || die "$name answers /$f with other bytes"
    done
done

run_wrk() { # name file seconds -> "req/s p50 p99 transfer/s"
    local out=$WORK/wrk.out
    timeout $(($3 + 30)) wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$3"s --timeout 10s --latency "http://127.0.0.1:${PORT[$1]}/$2" >"$out" 2>&1 ||
        die "wrk against $1 failed: $(cat "$out")"
    grep -q "Non-2xx" "$out" && die "$1 answered errors: $(cat "$out")"
    awk '/Requests\/sec/ {r = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2} /Transfer\/sec/ {t = $2} END {print r, p50, p99, t}' "$out"
}

log "warming up ($WARMUP s each)"
for name in gatehouse nginx; do for f in "${FILES[@]}"; do run_wrk "$name" "$f" "$WARMUP" >/dev/null; done; done

echo -e "round\tfile\tcontender\treq/s\tp50\tp99\ttransfer/s"
order=(gatehouse nginx)
for round in $(seq 1 "$ROUNDS"); do
    for f in "${FILES[@]}"; do
        for name in "${order[@]}"; do
            read -r rps p50 p99 transfer < <(run_wrk "$name" "$f" "$DURATION")
            echo -e "$round\t$f\t$name\t$rps\t$p50\t$p99\t$transfer"
        done
    done
    order=("${order[1]}" "${order[0]}")
done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); dotnet $(dotnet --version), $("$NGINX" -v 2>&1 | sed 's/.*: //'); wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s"
