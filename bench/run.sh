#!/usr/bin/env bash
# Gatehouse against nginx and a minimal YARP app, in one run, through one backend, with wrk.
#
# Every contender stays up for the whole run and is measured in alternation (the order rotates each round), so slow
# drift of the machine hits all of them alike. The .NET contenders get a long warm-up first so the tiered JIT (with
# dynamic PGO) has produced its final code before anything is measured. Prints a markdown table of medians and ratios
# and writes it, with the raw per-run numbers, to bench/results/.
#
# Everything listens on 127.0.0.1 and every load run is bounded by wrk -d. Defaults take about 6 minutes on an idle
# machine; on a busy one, waiting for quiet and measuring disturbed runs again add at most about EXTRA_TIME (2 min).
#
#   bench/run.sh                  # default run
#   QUICK=1 bench/run.sh          # about a minute: smoke test of the script, numbers are rough
#   ROUNDS=5 DURATION=10 bench/run.sh
#   CONTENDERS="gatehouse gatehouse-log nginx nginx-log yarp" bench/run.sh   # add the access-log-to-file variants
#   bench/cache.sh                # cache hits: gatehouse-cache, nginx-cache (proxy_cache) and varnish
#   bench/cluster.sh              # cluster mode: L1 (memory) and L2 (Redis) cache hits against a single node
#   bench/tls.sh                  # HTTPS: gatehouse-tls and nginx-tls, keep-alive and a handshake per request
#   CONTENDERS="gatehouse gatehouse-bare" bench/run.sh   # what the default protections cost (docs/protection.md)
#   bench/pool.sh gatehouse yarp bench/results/A.tsv bench/results/B.tsv ...   # several runs pooled, with a 95 % CI
#   bench/goals.sh                # every goal of issue 14 in one run, with a table of goals held (GOALS=1, below)
#
# Settings (environment):
#   DURATION=8          seconds of each measured wrk run
#   ROUNDS=3            measured runs per contender and scenario (the table shows medians)
#   WARMUP=30           seconds of the first warm-up run of each .NET contender (nginx gets 3)
#   SCENARIO_WARMUP=8   seconds of an unmeasured run of each contender before each scenario's first round
#   SCENARIOS="small-64 small-1000 100k-64"   (also: cached-small-64, cached-100k-64: responses the backend marks
#                       "public, max-age=3600"; caching contenders must answer them from cache; close-64: a new
#                       connection for every request, "Connection: close"; rr-small-64: /rr-small, which every proxy
#                       sends round robin to 4 destinations (the backend's 4 ports RR_PORTS); tls-small-64 and
#                       h2-small-64: HTTPS/1.1 keep-alive with wrk and HTTP/2 with h2load (-m H2_STREAMS streams per
#                       connection), run on the TLS contenders only)
#   CONTENDERS="gatehouse nginx yarp"   (also: gatehouse-log, nginx-log: access log written to a file;
#                       gatehouse-cache, nginx-cache, varnish: the route cached, nginx proxy_cache, Varnish's default VCL;
#                       gatehouse-tls, nginx-tls, yarp-tls: HTTPS with one ECDSA P-256 certificate for "localhost";
#                       gatehouse-bare: the default protections off, from bench/protections-off.json;
#                       gatehouse-nometrics: plain Gatehouse with "metrics": { "enabled": false };
#                       gatehouse-env: plain Gatehouse run with the variables of GATEHOUSE_ENV="NAME=VALUE ...", and
#                       from GATEHOUSE_ENV_DLL when set: another build's gatehouse.dll, for an A/B of two commits;
#                       floor-raw, floor-kestrel: bench/Floor, the least a .NET proxy spends here (raw sockets on both
#                       sides, or Kestrel with raw backend sockets), run with the variables of FLOOR_ENV; they serve
#                       small-64, small-1000 and 100k-64 only; floor-kestrel-tls: the same over Kestrel's HTTPS/1.1
#                       (tls-small-64); floor-kestrel-cache: Kestrel answering from bodies kept in memory (cached-*);
#                       floor-raw-tls: raw sockets with SslStream on the client side, no server (tls-small-64);
#                       floor-raw-cache: raw sockets answering hits from files with sendfile(2) (cached-*))
#   GATEHOUSE_BUILD=aot    how the gatehouse contenders run: "aot", the Native AOT executable Gatehouse ships
#                       (packaging/publish.sh, published to artifacts/bench), or "jit", the framework-dependent
#                       gatehouse.dll under `dotnet` (the build `dotnet run` and the tests use)
#   GATEHOUSE_ENV_BIN   gatehouse-env runs this executable instead (e.g. an AOT build of another commit)
#   GATEHOUSE_ENV_CACHE=1  gatehouse-env caches as gatehouse-cache does (and runs the cached-* scenarios): an A/B of cache hits
#   GATEHOUSE_ACCESS_LOG=off  "stdout": gatehouse and gatehouse-env keep the access log at its default (combined, to
#                       stdout, which the script sends to a file), as a user who never touched the setting runs it
#   MATCH_CONTENDERS=0  1: each scenario runs only on the contenders it is meant for (cached-* on the caching ones,
#                       tls-*/h2-* on the TLS ones, the others on the rest), so one run can hold them all (goals.sh)
#   GOALS=0             1: also print the table of issue 14's goals (bench/goals.awk); bench/goals.sh sets it
#   ALLOC_PROBE=1       0: leave bench/AllocProbe out of the .NET contenders (the alloc_b_per_req column stays empty)
#   WRK_THREADS=2       (h2load gets as many threads)
#   H2_STREAMS=10       concurrent streams per HTTP/2 connection (h2load -m)
#   RR_PORTS="19111 19112 19113 19114"  the backend's extra ports: the round-robin cluster's 4 destinations
#   NGINX_UPSTREAM_KEEPALIVE=64  idle upstream connections nginx keeps per worker
#   MAX_OTHER_CPU=10 MAX_RETRIES=2  a run in which other processes took more than 10% of the machine is measured again
#   BACKEND_PORT=19101 GATEHOUSE_PORT=18180 NGINX_PORT=18181 YARP_PORT=18182 GATEHOUSE_LOG_PORT=18183 NGINX_LOG_PORT=18184
#   GATEHOUSE_CACHE_PORT=18185 NGINX_CACHE_PORT=18186 VARNISH_PORT=18187 GATEHOUSE_TLS_PORT=18188 NGINX_TLS_PORT=18189
#   GATEHOUSE_BARE_PORT=18190 GATEHOUSE_ENV_PORT=18191 YARP_TLS_PORT=18192
#   ADMIN_PORT_OFFSET=1000  each Gatehouse contender's admin listener is its port plus this (its /metrics gives the AOT build's allocation)
#   SKIP_BUILD=1        use the existing Release builds
#   QUIET_WAIT=60 QUIET_WAIT_RUN=10  seconds to wait for other work on the machine to stop, before the run / each run
#   EXTRA_TIME=120      seconds the whole run may spend on those per-run waits and on measuring again
#   RESULTS_DIR=bench/results
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ ${QUICK:-0} == 1 ]]; then
    DURATION=${DURATION:-3}
    ROUNDS=${ROUNDS:-1}
    WARMUP=${WARMUP:-5}
    SCENARIO_WARMUP=${SCENARIO_WARMUP:-1}
fi
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-30}
SCENARIO_WARMUP=${SCENARIO_WARMUP:-8}
SCENARIOS=${SCENARIOS:-"small-64 small-1000 100k-64"}
CONTENDERS=${CONTENDERS:-"gatehouse nginx yarp"}
WRK_THREADS=${WRK_THREADS:-2}
H2_STREAMS=${H2_STREAMS:-10}
MATCH_CONTENDERS=${MATCH_CONTENDERS:-0}
GOALS=${GOALS:-0}
ALLOC_PROBE=${ALLOC_PROBE:-1}
GATEHOUSE_BUILD=${GATEHOUSE_BUILD:-aot}
ADMIN_PORT_OFFSET=${ADMIN_PORT_OFFSET:-1000}
read -ra RR_PORT_LIST <<<"${RR_PORTS:-19111 19112 19113 19114}"
NGINX_UPSTREAM_KEEPALIVE=${NGINX_UPSTREAM_KEEPALIVE:-64}
GZIP_LEVEL=${GZIP_LEVEL:-5}
MAX_OTHER_CPU=${MAX_OTHER_CPU:-10}
MAX_RETRIES=${MAX_RETRIES:-2}
QUIET_WAIT=${QUIET_WAIT:-60}
QUIET_WAIT_RUN=${QUIET_WAIT_RUN:-10}
EXTRA_TIME=${EXTRA_TIME:-120}
EXTRA_SPENT=0
BACKEND_PORT=${BACKEND_PORT:-19101}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
declare -A PORT=(
    [gatehouse]=${GATEHOUSE_PORT:-18180}
    [nginx]=${NGINX_PORT:-18181}
    [yarp]=${YARP_PORT:-18182}
    [gatehouse-log]=${GATEHOUSE_LOG_PORT:-18183}
    [nginx-log]=${NGINX_LOG_PORT:-18184}
    [gatehouse-cache]=${GATEHOUSE_CACHE_PORT:-18185}
    [nginx-cache]=${NGINX_CACHE_PORT:-18186}
    [varnish]=${VARNISH_PORT:-18187}
    [gatehouse-tls]=${GATEHOUSE_TLS_PORT:-18188}
    [nginx-tls]=${NGINX_TLS_PORT:-18189}
    [gatehouse-bare]=${GATEHOUSE_BARE_PORT:-18190}
    [gatehouse-env]=${GATEHOUSE_ENV_PORT:-18191}
    [gatehouse-nometrics]=${GATEHOUSE_NOMETRICS_PORT:-18193}
    [yarp-tls]=${YARP_TLS_PORT:-18192}
    [gatehouse-gzip]=${GATEHOUSE_GZIP_PORT:-18193}
    [nginx-gzip]=${NGINX_GZIP_PORT:-18194}
    [gatehouse-gzip-cache]=${GATEHOUSE_GZIP_CACHE_PORT:-18195}
    [nginx-gzip-cache]=${NGINX_GZIP_CACHE_PORT:-18196}
    [floor-raw]=${FLOOR_RAW_PORT:-18197}
    [floor-kestrel]=${FLOOR_KESTREL_PORT:-18198}
    [floor-kestrel-tls]=${FLOOR_KESTREL_TLS_PORT:-18199}
    [floor-kestrel-cache]=${FLOOR_KESTREL_CACHE_PORT:-18200}
    [floor-raw-tls]=${FLOOR_RAW_TLS_PORT:-18201}
    [floor-raw-cache]=${FLOOR_RAW_CACHE_PORT:-18202}
)
declare -A SCENARIO_PATH=([small-64]=/small [small-1000]=/small [100k-64]=/100k [cached-small-64]=/cached-small [cached-100k-64]=/cached-100k [close-64]=/small
    [rr-small-64]=/rr-small [tls-small-64]=/small [h2-small-64]=/small [html-100k-gzip-64]=/html-100k [cached-html-100k-gzip-64]=/cached-html-100k)
declare -A SCENARIO_CONNECTIONS=([small-64]=64 [small-1000]=1000 [100k-64]=64 [cached-small-64]=64 [cached-100k-64]=64 [close-64]=64
    [rr-small-64]=64 [tls-small-64]=64 [h2-small-64]=64 [html-100k-gzip-64]=64 [cached-html-100k-gzip-64]=64)
# close-64: "Connection: close" on every request, so each request opens a new connection (a full TLS handshake for
# the -tls contenders: wrk does not resume TLS sessions).
# *-gzip-64: the client accepts gzip only (bench/compression.sh), so every contender makes the same coding.
declare -A SCENARIO_HEADER=([close-64]="Connection: close" [html-100k-gzip-64]="Accept-Encoding: gzip" [cached-html-100k-gzip-64]="Accept-Encoding: gzip")
is_cache() { [[ $1 == *-cache || $1 == varnish || ($1 == gatehouse-env && ${GATEHOUSE_ENV_CACHE:-0} == 1) ]]; }
is_tls() { [[ $1 == *-tls ]]; }
is_dotnet() { [[ $1 == gatehouse* || $1 == yarp* || $1 == floor* ]]; }
# applies SCENARIO CONTENDER: whether the contender runs the scenario. tls-* and h2-* need HTTPS; with
# MATCH_CONTENDERS=1, cached-* run on the caching contenders only and the other scenarios on the plain ones only.
applies() {
    if [[ $1 == tls-* || $1 == h2-* ]]; then is_tls "$2"; return; fi
    [[ $MATCH_CONTENDERS == 1 ]] || return 0
    if [[ $1 == cached-* ]]; then is_cache "$2"; else ! is_cache "$2" && ! is_tls "$2"; fi
}
# url_of CONTENDER PATH: the TLS contenders serve https (with the run's own certificate for "localhost").
url_of() { if is_tls "$1"; then echo "https://localhost:${PORT[$1]}$2"; else echo "http://127.0.0.1:${PORT[$1]}$2"; fi; }

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

for c in $CONTENDERS; do [[ -n ${PORT[$c]:-} ]] || die "unknown contender '$c' (gatehouse, gatehouse-log, gatehouse-bare, gatehouse-env, gatehouse-nometrics, nginx, nginx-log, yarp, gatehouse-cache, nginx-cache, varnish, gatehouse-tls, nginx-tls, yarp-tls, gatehouse-gzip, nginx-gzip, gatehouse-gzip-cache, nginx-gzip-cache, floor-raw, floor-kestrel, floor-kestrel-tls, floor-kestrel-cache, floor-raw-tls, floor-raw-cache)"; done
for s in $SCENARIOS; do [[ -n ${SCENARIO_PATH[$s]:-} ]] || die "unknown scenario '$s' (small-64, small-1000, 100k-64, rr-small-64, cached-small-64, cached-100k-64, close-64, tls-small-64, h2-small-64, html-100k-gzip-64, cached-html-100k-gzip-64)"; done
[[ ${GATEHOUSE_ACCESS_LOG:-off} =~ ^(off|stdout)$ ]] || die "GATEHOUSE_ACCESS_LOG must be off or stdout, not '$GATEHOUSE_ACCESS_LOG'"

# --- Tools ------------------------------------------------------------------------------------------------------------
SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
NGINX=$(command -v nginx || true)
[[ -z $NGINX && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $NGINX ]] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
command -v pgrep >/dev/null || missing+=(procps)
command -v openssl >/dev/null || missing+=(openssl)
[[ " $CONTENDERS " == *" varnish "* ]] && ! command -v varnishd >/dev/null && [[ ! -x /usr/sbin/varnishd ]] && missing+=(varnish)
[[ " $SCENARIOS " == *" h2-"* ]] && ! command -v h2load >/dev/null && missing+=(nghttp2-client)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
VARNISHD=$(command -v varnishd || echo /usr/sbin/varnishd)
command -v dotnet >/dev/null || die "dotnet is not installed"

# wrk needs a descriptor per connection, and so do the proxies (client side plus backend side).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= 2500)) || die "open-file limit $(ulimit -n) is too low for 1000 connections"

# --- Build ------------------------------------------------------------------------------------------------------------
GATEHOUSE_DLL=$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll
YARP_DLL=$ROOT/bench/MinimalYarp/bin/Release/net10.0/minimal-yarp.dll
BACKEND_DLL=$ROOT/bench/Backend/bin/Release/net10.0/bench-backend.dll
PROBE_DLL=$ROOT/bench/AllocProbe/bin/Release/net10.0/alloc-probe.dll
FLOOR_DLL=$ROOT/bench/Floor/bin/Release/net10.0/floor.dll
GATEHOUSE_AOT_BIN=$ROOT/artifacts/bench/publish/linux-x64/gatehouse
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    projects=(src/Gatehouse bench/MinimalYarp bench/Backend bench/AllocProbe)
    [[ " $CONTENDERS " == *" floor-"* ]] && projects+=(bench/Floor)
    for project in "${projects[@]}"; do
        log "building $project (Release)"
        dotnet build -c Release -nologo -v q "$ROOT/$project" >"${TMPDIR:-/tmp}/gatehouse-bench-build.log" 2>&1 ||
            die "build of $project failed: $(tail -n 20 "${TMPDIR:-/tmp}/gatehouse-bench-build.log")"
    done
    if [[ $GATEHOUSE_BUILD == aot ]]; then
        log "publishing src/Gatehouse as a Native AOT executable (packaging/publish.sh)"
        GATEHOUSE_PUBLISH=aot GATEHOUSE_ARTIFACTS="$ROOT/artifacts/bench" "$ROOT/packaging/publish.sh" linux-x64 >"${TMPDIR:-/tmp}/gatehouse-bench-build.log" 2>&1 ||
            die "AOT publish failed: $(tail -n 20 "${TMPDIR:-/tmp}/gatehouse-bench-build.log")"
    fi
fi
if [[ $GATEHOUSE_BUILD == aot ]]; then
    [[ -x $GATEHOUSE_AOT_BIN ]] || die "no AOT build at $GATEHOUSE_AOT_BIN (run without SKIP_BUILD=1)"
    GATEHOUSE_CMD=("$GATEHOUSE_AOT_BIN")
else
    GATEHOUSE_CMD=(dotnet "$GATEHOUSE_DLL")
fi

# bench/AllocProbe, a startup hook, answers on a Unix socket per .NET contender with the process's allocated bytes.
PROBE_ENV=()
[[ $ALLOC_PROBE == 1 ]] && PROBE_ENV=(DOTNET_STARTUP_HOOKS="$PROBE_DLL")

# --- Processes --------------------------------------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
chmod 755 "$WORK" # nginx workers run as an unprivileged user when the master is root
declare -A PID=()
STARTED=()

cleanup() {
    local p
    for p in "${STARTED[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${STARTED[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# All pids whose CPU and memory count for a contender: nginx's master and its workers, Varnish's manager and its
# cache process, or the one .NET process.
pids_of() {
    local pid=${PID[$1]}
    echo "$pid"
    [[ $1 == nginx* || $1 == varnish ]] && pgrep -P "$pid" || true
}

# curl_to CONTENDER ARGS...: curl that trusts the run's certificate and resolves localhost to 127.0.0.1.
curl_to() { local name=$1; shift; curl --cacert "$WORK/cert.pem" --resolve "localhost:${PORT[$name]}:127.0.0.1" "$@"; }

wait_ready() {
    local name=$1 port=$2 pid=$3 i url
    if [[ $name == backend ]]; then url="http://127.0.0.1:$port/small"; else url=$(url_of "$name" /small); fi
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || die "$name exited during start-up: $(tail -n 20 "$WORK/$name.err")"
        curl --cacert "$WORK/cert.pem" --resolve "localhost:$port:127.0.0.1" -sf -o /dev/null "$url" && return 0
        sleep 0.2
    done
    die "$name did not answer on 127.0.0.1:$port within 20 s"
}

assert_port_free() {
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; then die "something already listens on 127.0.0.1:$1"; fi
}

start() {
    local name=$1 port=${2:-} dir=$WORK/$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    case $name in
        backend)
            port=$BACKEND_PORT
            assert_port_free "$port"
            for p in "${RR_PORT_LIST[@]}"; do assert_port_free "$p"; done
            dotnet "$BACKEND_DLL" "$port" "${RR_PORT_LIST[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
        yarp | yarp-tls)
            assert_port_free "$port"
            local -a yarp_args=(--round-robin "$(printf 'http://127.0.0.1:%s,' "${RR_PORT_LIST[@]}")")
            [[ $name == yarp-tls ]] && yarp_args+=(--tls "$WORK/cert.pem" "$WORK/key.pem")
            env "${PROBE_ENV[@]}" ALLOC_PROBE_SOCKET="$WORK/$name.alloc" \
                dotnet "$YARP_DLL" "$port" "http://127.0.0.1:$BACKEND_PORT" "${yarp_args[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
        floor-raw | floor-kestrel | floor-kestrel-tls | floor-kestrel-cache | floor-raw-tls | floor-raw-cache)
            # bench/Floor: what .NET itself costs per proxied request (raw sockets, or Kestrel and raw backend sockets;
            # Kestrel's HTTPS/1.1; Kestrel answering from bodies kept in memory).
            assert_port_free "$port"
            local -a floor_env=() floor_args=("${name#floor-}" "$port" "$BACKEND_PORT")
            read -ra floor_env <<<"${FLOOR_ENV:-}"
            [[ $name == floor-kestrel-* ]] && floor_args[0]=kestrel
            [[ $name == floor-raw-* ]] && floor_args[0]=raw
            [[ $name == floor-*-tls ]] && floor_args+=(--tls "$WORK/cert.pem" "$WORK/key.pem")
            [[ $name == floor-*-cache ]] && floor_args+=(--cache)
            env "${PROBE_ENV[@]}" ALLOC_PROBE_SOCKET="$WORK/$name.alloc" "${floor_env[@]}" \
                dotnet "$FLOOR_DLL" "${floor_args[@]}" >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
        gatehouse | gatehouse-log | gatehouse-cache | gatehouse-tls | gatehouse-bare | gatehouse-env | gatehouse-nometrics | gatehouse-gzip | gatehouse-gzip-cache)
            assert_port_free "$port"
            local access='"accessLog": { "enabled": false }' cache='' listener_tls='' tls='' bare='' compression=''
            [[ ${GATEHOUSE_ACCESS_LOG:-off} == stdout && $name =~ ^gatehouse(-env)?$ ]] && access='"accessLog": { "enabled": true }'
            [[ $name == gatehouse-log ]] && access="\"accessLog\": { \"enabled\": true, \"format\": \"combined\", \"path\": \"$dir/logs/access.log\" }"
            is_cache "$name" && cache=', "cache": { "enabled": true }' # gatehouse-cache, -gzip-cache, -env with GATEHOUSE_ENV_CACHE=1
            # The same coding, level, types and minimum size as nginx-gzip's gzip_* lines below; a stored variant is
            # compressed at that level too, so the cached run compares serving, not compression ratios.
            [[ $name == gatehouse-gzip* ]] && compression='"compression": { "enabled": true, "encodings": ["gzip"], "levels": { "gzip": '$GZIP_LEVEL' }, "storedLevels": { "gzip": '$GZIP_LEVEL' }, "types": ["text/html"], "minimumSize": "1KB" },'
            if [[ $name == gatehouse-tls ]]; then
                listener_tls=', "tls": {}'
                tls="\"tls\": { \"certificates\": [ { \"certificate\": \"$WORK/cert.pem\", \"key\": \"$WORK/key.pem\" } ] },"
            fi
            # gatehouse-bare: the default protections turned off, to show what they cost (see docs/protection.md).
            [[ $name == gatehouse-bare ]] && bare=$(cat "$ROOT/bench/protections-off.json")
            # gatehouse-nometrics: metrics off, to show what they cost (docs/performance.md, "What metrics cost").
            [[ $name == gatehouse-nometrics ]] && bare='"metrics": { "enabled": false },'
            local rr_destinations="" sep="" i
            for i in "${!RR_PORT_LIST[@]}"; do
                rr_destinations+="$sep\"d$i\": { \"address\": \"http://127.0.0.1:${RR_PORT_LIST[$i]}\" }"
                sep=", "
            done
            # The config sits alone in its folder: Gatehouse watches that folder for edits.
            cat >"$dir/gatehouse.json" <<EOF
{
  "listeners": [ { "address": "127.0.0.1", "port": $port$listener_tls } ],
  "routes": {
    "all": { "clusterId": "c", "match": { "pathPrefix": "/" }$cache },
    "rr": { "clusterId": "rr", "match": { "path": "/rr-small" } }
  },
  "clusters": {
    "c": { "loadBalancingPolicy": "RoundRobin", "destinations": { "a": { "address": "http://127.0.0.1:$BACKEND_PORT" } } },
    "rr": { "loadBalancingPolicy": "RoundRobin", "destinations": { $rr_destinations } }
  },
  $tls
  $bare
  $compression
  $access,
  "admin": { "port": $((port + ADMIN_PORT_OFFSET)) }
}
EOF
            # gatehouse-env: plain Gatehouse with the environment variables in GATEHOUSE_ENV (runtime knobs to try out).
            local -a env_vars=()
            [[ $name == gatehouse-env ]] && read -ra env_vars <<<"${GATEHOUSE_ENV:-}"
            local -a program=("${GATEHOUSE_CMD[@]}")
            [[ $name == gatehouse-env && -n ${GATEHOUSE_ENV_DLL:-} ]] && program=(dotnet "$GATEHOUSE_ENV_DLL")
            [[ $name == gatehouse-env && -n ${GATEHOUSE_ENV_BIN:-} ]] && program=("$GATEHOUSE_ENV_BIN")
            # A native (AOT) executable runs no startup hook: allocated_bytes reads its admin port's metrics instead.
            env "${PROBE_ENV[@]}" ALLOC_PROBE_SOCKET="$WORK/$name.alloc" "${env_vars[@]}" "${program[@]}" run --config "$dir/gatehouse.json" >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
        nginx | nginx-log | nginx-cache | nginx-tls | nginx-gzip | nginx-gzip-cache)
            assert_port_free "$port"
            local access="access_log off;" cache_http="" cache_location="proxy_max_temp_file_size 0;" listen="listen 127.0.0.1:$port;" gzip=""
            # gzip_proxied any: nginx otherwise skips requests that carry Via; gzip_vary as Gatehouse's Vary.
            [[ $name == nginx-gzip* ]] && gzip="gzip on; gzip_comp_level $GZIP_LEVEL; gzip_types text/html; gzip_min_length 1024; gzip_proxied any; gzip_vary on;"
            if [[ $name == nginx-tls ]]; then
                # The same certificate as gatehouse-tls; Mozilla "intermediate" protocols and ciphers, HTTP/2 offered,
                # a shared session cache as the Mozilla generator writes it.
                listen="listen 127.0.0.1:$port ssl http2;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:bench:10m;
        ssl_session_timeout 1d;"
            fi
            [[ $name == nginx-log ]] && access="access_log $dir/access.log combined buffer=64k flush=1s;"
            if [[ $name == nginx-cache || $name == nginx-gzip-cache ]]; then
                # The backend's Cache-Control decides what is stored and for how long (nginx honours it by default).
                # Hits come from files in the cache folder; sendfile is on, as in Debian's stock nginx.conf.
                cache_http="proxy_cache_path $dir/cache levels=1:2 keys_zone=bench:10m max_size=256m inactive=60m use_temp_path=off;
    sendfile on;"
                cache_location="proxy_cache bench;
            add_header X-Cache-Status \$upstream_cache_status always;"
            fi
            cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes auto;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
    $access
    # Kestrel never closes a keep-alive connection after N requests; nginx's default of 1000 would make wrk reconnect.
    keepalive_requests 1000000;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy_temp;
    fastcgi_temp_path $dir/fastcgi_temp;
    uwsgi_temp_path $dir/uwsgi_temp;
    scgi_temp_path $dir/scgi_temp;
    $cache_http
    $gzip
    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive $NGINX_UPSTREAM_KEEPALIVE;
        keepalive_requests 1000000;
    }
    # rr-small-64: round robin (nginx's default) over the backend's 4 extra ports, idle connections kept the same way.
    upstream backend_rr {
        $(printf 'server 127.0.0.1:%s; ' "${RR_PORT_LIST[@]}")
        keepalive $NGINX_UPSTREAM_KEEPALIVE;
        keepalive_requests 1000000;
    }
    server {
        $listen
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # Without a cache: stream like YARP does rather than spooling large bodies to disk.
            $cache_location
        }
        location = /rr-small {
            proxy_pass http://backend_rr;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_max_temp_file_size 0;
        }
    }
}
EOF
            "$NGINX" -c "$dir/nginx.conf" -p "$dir" >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
        varnish)
            # Debian's varnishd with its built-in VCL (which honours the backend's Cache-Control) in the foreground,
            # malloc storage, no management port.
            assert_port_free "$port"
            "$VARNISHD" -F -a "127.0.0.1:$port" -b "127.0.0.1:$BACKEND_PORT" -s malloc,256m -n "$dir/state" -T none \
                >"$WORK/$name.out" 2>"$WORK/$name.err" &
            ;;
    esac
    PID[$name]=$!
    STARTED+=("$!")
    wait_ready "$name" "$port" "$!"
    log "$name is up (pid ${PID[$name]}, 127.0.0.1:$port)"
}

check_bodies() {
    local name=$1 small large
    small=$(curl_to "$name" -sf "$(url_of "$name" /small)")
    large=$(curl_to "$name" -sf "$(url_of "$name" /100k)" | wc -c)
    [[ $small == "Hello, world!" && $large == 102400 ]] || die "$name answered wrongly: /small '$small', /100k $large bytes"
}

backend_count() { curl -sf "http://127.0.0.1:$BACKEND_PORT/count"; }

# check_rr CONTENDER: 8 requests to /rr-small must reach each of the backend's round-robin ports at least once.
check_rr() {
    local name=$1 i before after
    before=$(curl -sf "http://127.0.0.1:$BACKEND_PORT/rr-count")
    for ((i = 0; i < 8; i++)); do curl_to "$name" -sf -o /dev/null "$(url_of "$name" /rr-small)" || die "$name failed on /rr-small"; done
    after=$(curl -sf "http://127.0.0.1:$BACKEND_PORT/rr-count")
    awk -v main="$BACKEND_PORT" 'NR == FNR { b[$1] = $2; next } $1 == main { next } { d = $2 - b[$1]; printf "%s%s:%d", (n++ ? " " : ""), $1, d; if (d < 1) bad = 1 } END { print ""; exit bad }' \
        <(echo "$before") <(echo "$after") >"$WORK/rr.check" || die "$name did not spread /rr-small over every destination: $(cat "$WORK/rr.check")"
    log "$name: /rr-small round robin, requests per backend port $(cat "$WORK/rr.check")"
}

# check_gzip CONTENDER PATH: with Accept-Encoding: gzip the answer must be gzip that decodes to the backend's page.
check_gzip() {
    local url headers length
    url=$(url_of "$1" "$2")
    headers=$(curl_to "$1" -sf -H 'Accept-Encoding: gzip' -D - -o "$WORK/$1.gz" "$url" | tr -d '\r') || die "$1 failed on $2 with gzip"
    grep -qi '^Content-Encoding: gzip' <<<"$headers" || die "$1 did not gzip $2: $headers"
    length=$(gzip -dc "$WORK/$1.gz" | wc -c)
    ((length == 102400)) || die "$1: $2 decodes to $length bytes, not 102400"
    log "$1: $2 gzipped, $(stat -c %s "$WORK/$1.gz") bytes for 102400"
}

# check_h2 CONTENDER: the contender must answer over HTTP/2 (ALPN h2).
check_h2() {
    local version
    version=$(curl_to "$1" -sf --http2 -o /dev/null -w '%{http_version}' "$(url_of "$1" /small)") || die "$1 failed over HTTP/2"
    [[ $version == 2 ]] || die "$1 answered HTTP/$version, not HTTP/2"
}

# allocated_bytes CONTENDER: the .NET process's total allocated bytes from bench/AllocProbe, or, for a Gatehouse that
# runs no startup hook (the AOT build), from its own metrics on its admin port; or nothing.
allocated_bytes() {
    is_dotnet "$1" || return 0
    if [[ -S $WORK/$1.alloc ]]; then
        curl -sf --max-time 2 --unix-socket "$WORK/$1.alloc" http://probe/ | awk '{print $1}' || true
    elif [[ $1 == gatehouse* && $ALLOC_PROBE == 1 ]]; then
        curl -sf --max-time 2 "http://127.0.0.1:$((PORT[$1] + ADMIN_PORT_OFFSET))/metrics" |
            awk '$1 == "dotnet_gc_heap_total_allocated_bytes_total" { printf "%.0f\n", $2 }' || true
    fi
}

# check_hit CONTENDER PATH: two requests; the second must be a cache hit by the contender's own account.
check_hit() {
    local name=$1 path=$2 url headers
    url=$(url_of "$1" "$2")
    curl_to "$name" -sf -o /dev/null "$url" || die "$name failed on $path"
    headers=$(curl_to "$name" -sf -D - -o /dev/null "$url" | tr -d '\r') || die "$name failed on $path"
    case $name in
        gatehouse-cache | gatehouse-gzip-cache | gatehouse-env) grep -qi '^Cache-Status: Gatehouse; hit' <<<"$headers" ;;
        nginx-cache | nginx-gzip-cache) grep -qi '^X-Cache-Status: HIT' <<<"$headers" ;;
        varnish) grep -qiE '^X-Varnish: [0-9]+ [0-9]+' <<<"$headers" ;; # two ids: this request and the stored one
        floor-kestrel-cache | floor-raw-cache) grep -qi '^X-Floor-Cache: hit' <<<"$headers" ;;
    esac || die "$name did not answer $path from its cache: $headers"
    log "$name: $path is a cache hit ($(grep -iE '^(Cache-Status|X-Cache-Status|X-Varnish|Age):' <<<"$headers" | paste -sd ' ' -))"
}

# --- Measurement ------------------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() { # utime+stime of the given pids (fields 14 and 15 of /proc/PID/stat, counted after the ')' of comm)
    local p total=0
    for p in "$@"; do
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

peak_rss_kb() { # VmHWM summed over the pids (shared pages of nginx's processes count once per process)
    local p total=0
    for p in "$@"; do total=$((total + $(awk '/^VmHWM:/{print $2}' "/proc/$p/status"))); done
    echo "$total"
}

reset_peak_rss() { # "5" resets VmHWM to the current RSS (Linux 4.0+), so each run reports its own peak
    local p
    for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done
}

machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6; exit}' /proc/stat; }

to_ms() { # wrk prints 850.00us, 1.23ms, 2.01s or 1.00m
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

wrk_run() { # wrk_run SECONDS CONNECTIONS URL OUTPUT [HEADER]; wrk's own user+sys seconds go to OUTPUT.cpu
    local TIMEFORMAT='%3U %3S' rc=0 url=$3
    local -a header=()
    [[ -n ${5:-} ]] && header=(-H "$5")
    # wrk connects to the URL's host: "localhost" (for the certificate's name) must reach 127.0.0.1.
    { time timeout $(($1 + 30)) wrk -t"$WRK_THREADS" -c"$2" -d"$1"s --timeout 10s --latency "${header[@]}" "$url" >"$4" 2>&1; } 2>"$4.cpu" || rc=$?
    ((rc == 0)) || die "wrk failed ($rc): $(cat "$4")"
}

h2_run() { # h2_run SECONDS CONNECTIONS URL PORT OUTPUT; per-request log in OUTPUT.log, h2load's own CPU in OUTPUT.cpu
    local TIMEFORMAT='%3U %3S' rc=0
    rm -f "$5.log"
    { time timeout $(($1 + 30)) h2load -t"$WRK_THREADS" -c"$2" -m"$H2_STREAMS" -D"$1" --connect-to="127.0.0.1:$4" \
        --log-file="$5.log" "$3" >"$5" 2>&1; } 2>"$5.cpu" || rc=$?
    ((rc == 0)) || die "h2load failed ($rc): $(tail -n 20 "$5")"
}

# load_run SCENARIO CONTENDER SECONDS OUTPUT: the scenario's load (wrk, or h2load for h2-*) against the contender;
# writes "requests req_s p99_ms errors" to OUTPUT.res and the tool's user+sys seconds to OUTPUT.cpu.
load_run() {
    local scenario=$1 name=$2 out=$4 url
    url=$(url_of "$name" "${SCENARIO_PATH[$scenario]}")
    if [[ $scenario == h2-* ]]; then
        h2_run "$3" "${SCENARIO_CONNECTIONS[$scenario]}" "$url" "${PORT[$name]}" "$out"
        # "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout"; p99 from the log's
        # third column (microseconds from the request's start to the end of its response).
        local p99
        p99=$(cut -f 3 "$out.log" | sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < NR * 0.99) i++; if (i < 1) i = 1; printf "%.3f", v[i] / 1000 }')
        awk -v p99="$p99" '
            /^finished in/ { rps = $4 + 0 }
            /^requests:/ { gsub(",", ""); done = $6; err = $10 + $12 + $14 }
            /^status codes:/ { gsub(",", ""); err += $5 + $7 + $9 }
            END { printf "%d %.0f %s %d\n", done, rps, p99, err }' "$out" >"$out.res"
    else
        wrk_run "$3" "${SCENARIO_CONNECTIONS[$scenario]}" "$url" "$out" "${SCENARIO_HEADER[$scenario]:-}"
        local p99
        p99=$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$out")")
        awk -v p99="$p99" '
            /requests in/ && !n { n = $1 }
            /^Requests\/sec:/ { rps = $2 }
            /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
            /Non-2xx/ { e += $NF }
            END { printf "%d %.0f %s %d\n", n, rps, p99, e }' "$out" >"$out.res"
    fi
}

machine_busy_pct() { # over the next second
    local total0 idle0 total1 idle1
    read -r total0 idle0 < <(machine_ticks)
    sleep 1
    read -r total1 idle1 < <(machine_ticks)
    echo $((total1 > total0 ? 100 * ((total1 - total0) - (idle1 - idle0)) / (total1 - total0) : 0))
}

# Other work on the machine (builds, tests) takes cores from the contenders; wait a while for it to end, before the
# run and again (more briefly) before each measured run. Our own processes are idle at these points.
QUIET_NOTE="machine idle before the run"
wait_for_quiet() { # wait_for_quiet MAX_SECONDS
    local i busy=0
    (($1 > 0)) || return 0
    for ((i = 0; i < $1 && EXTRA_SPENT < EXTRA_TIME; i += 5)); do
        busy=$(machine_busy_pct)
        ((busy <= MAX_OTHER_CPU)) && return 0
        ((i > 0)) || log "machine is ${busy}% busy with other work: waiting up to $1 s for it to settle"
        sleep 4
        EXTRA_SPENT=$((EXTRA_SPENT + 5))
    done
    log "machine still ${busy}% busy: going on"
    return 1
}

# One ECDSA P-256 certificate for "localhost", used by both TLS contenders.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null ||
    die "openssl could not make the benchmark certificate"
chmod 644 "$WORK/key.pem" # nginx reads it as root, Gatehouse as the current user

RAW=$WORK/raw.tsv
printf 'scenario\tcontender\tround\treq_s\tp99_ms\trequests\tproxy_cpu_us_per_req\tpeak_rss_mb\tbackend_cpu_us_per_req\twrk_cpu_us_per_req\tother_cpu_pct\terrors\tbackend_requests\talloc_b_per_req\n' >"$RAW"

measure() { # measure SCENARIO CONTENDER ROUND: prints one raw row
    local scenario=$1 name=$2 round=$3 out=$WORK/wrk.out
    local -a pids
    mapfile -t pids < <(pids_of "$name")
    reset_peak_rss "${pids[@]}"
    local cpu0 backend0 total0 idle0 cpu1 backend1 total1 idle1 count0 count1 alloc0 alloc1
    count0=$(backend_count)
    alloc0=$(allocated_bytes "$name")
    cpu0=$(cpu_ticks "${pids[@]}")
    backend0=$(cpu_ticks "${PID[backend]}")
    read -r total0 idle0 < <(machine_ticks)
    load_run "$scenario" "$name" "$DURATION" "$out"
    cpu1=$(cpu_ticks "${pids[@]}")
    backend1=$(cpu_ticks "${PID[backend]}")
    read -r total1 idle1 < <(machine_ticks)
    alloc1=$(allocated_bytes "$name")
    count1=$(backend_count)
    local rss requests rps p99 errors
    rss=$(peak_rss_kb "${pids[@]}")
    read -r requests rps p99 errors <"$out.res"
    ((requests > 0)) || die "$name made no request in $scenario: $(cat "$out")"
    # A caching contender must answer a cached scenario from its cache: the backend sees (next to) nothing.
    if is_cache "$name" && [[ $scenario == cached-* ]] && ((count1 - count0 > requests / 1000)); then
        die "$name sent $((count1 - count0)) of $requests requests of $scenario to the backend: not a cache-hit run"
    fi
    # other = what the machine spent beyond the proxy, the backend and wrk: other work that disturbed the run.
    awk -v s="$scenario" -v c="$name" -v r="$round" -v rps="$rps" -v p99="$p99" -v n="$requests" \
        -v cpu=$((cpu1 - cpu0)) -v bcpu=$((backend1 - backend0)) -v hz="$CLK_TCK" -v rss="$rss" \
        -v wrk="$(cat "$out.cpu")" -v tot=$((total1 - total0)) -v idle=$((idle1 - idle0)) -v err="$errors" \
        -v origin=$((count1 - count0)) -v a0="$alloc0" -v a1="$alloc1" 'BEGIN {
        split(wrk, w, " "); wcpu = (w[1] + w[2]) * hz
        other = tot > 0 ? 100 * (tot - idle - cpu - bcpu - wcpu) / tot : 0
        # No growth is no reading: the runtime counter of the AOT build is approximate and moves only when the GC runs.
        alloc = (a0 != "" && a1 != "" && a1 > a0) ? sprintf("%.0f", (a1 - a0) / n) : ""
        printf "%s\t%s\t%d\t%.0f\t%.2f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%d\t%d\t%s\n", s, c, r, rps, p99, n,
            cpu / hz * 1e6 / n, rss / 1024, bcpu / hz * 1e6 / n, wcpu / hz * 1e6 / n, (other < 0 ? 0 : other), err, origin, alloc }' >"$out.row"
    cat "$out.row"
    awk -F'\t' '{printf "  %-14s %-15s round %d: %8s req/s  p99 %8s ms  %6s us/req  %6s B/req  %7s MB  other %3s%%  errors %s  backend requests %s\n", $1, $2, $3, $4, $5, $7, ($14 == "" ? "-" : $14), $8, $11, $12, $13}' "$out.row" >&2
}

# --- Run --------------------------------------------------------------------------------------------------------------
read -ra CONTENDER_LIST <<<"$CONTENDERS"
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
wait_for_quiet "$QUIET_WAIT" || QUIET_NOTE="WARNING: the machine was busy with other work before the run; see the 'other CPU' column"
((QUIET_WAIT > 0)) || QUIET_NOTE="the machine's load before the run not checked (QUIET_WAIT=0): see the 'other CPU' column"
start backend
for c in "${CONTENDER_LIST[@]}"; do start "$c" "${PORT[$c]}"; done
for c in "${CONTENDER_LIST[@]}"; do check_bodies "$c"; done
for c in "${CONTENDER_LIST[@]}"; do
    if is_cache "$c"; then for s in $SCENARIOS; do [[ $s == cached-* ]] && applies "$s" "$c" && check_hit "$c" "${SCENARIO_PATH[$s]}"; done; fi
    for s in $SCENARIOS; do
        applies "$s" "$c" || continue
        [[ $s == rr-* ]] && check_rr "$c"
        [[ $s == h2-* ]] && check_h2 "$c"
        [[ $s == *-gzip-64 ]] && check_gzip "$c" "${SCENARIO_PATH[$s]}"
    done
done

for c in "${CONTENDER_LIST[@]}"; do
    seconds=$WARMUP warm_path=/small
    [[ $c == nginx* || $c == varnish ]] && ((seconds > 3)) && seconds=3 # no JIT to wait for
    is_cache "$c" && warm_path=/cached-small # warm the hit path
    log "warm-up: $c, ${seconds}s on $warm_path with 64 connections"
    wrk_run "$seconds" 64 "$(url_of "$c" "$warm_path")" "$WORK/warmup.out"
done

for scenario in $SCENARIOS; do
    url_path=${SCENARIO_PATH[$scenario]}
    connections=${SCENARIO_CONNECTIONS[$scenario]}
    log "scenario $scenario: GET $url_path, $connections connections, ${DURATION}s x $ROUNDS rounds"
    SCENARIO_CONTENDERS=()
    for c in "${CONTENDER_LIST[@]}"; do applies "$scenario" "$c" && SCENARIO_CONTENDERS+=("$c"); done
    ((${#SCENARIO_CONTENDERS[@]})) || { log "  no contender runs $scenario: skipped"; continue; }
    if ((SCENARIO_WARMUP > 0)); then
        for c in "${SCENARIO_CONTENDERS[@]}"; do load_run "$scenario" "$c" "$SCENARIO_WARMUP" "$WORK/warmup.out"; done
    fi
    for ((round = 1; round <= ROUNDS; round++)); do
        n=${#SCENARIO_CONTENDERS[@]}
        for ((i = 0; i < n; i++)); do # rotate the order each round
            contender=${SCENARIO_CONTENDERS[$(((i + round - 1) % n))]}
            # A run that other work on the machine disturbed is measured again; the least disturbed try is kept.
            : >"$WORK/tries.tsv"
            for ((try = 0; try <= MAX_RETRIES; try++)); do
                if ((try > 0)); then
                    ((EXTRA_SPENT < EXTRA_TIME)) || { log "  other work took ${other}% of the machine (no time left to measure again)"; break; }
                    log "  other work took ${other}% of the machine: measuring again"
                    EXTRA_SPENT=$((EXTRA_SPENT + DURATION))
                fi
                wait_for_quiet "$QUIET_WAIT_RUN" || true
                measure "$scenario" "$contender" "$round" >>"$WORK/tries.tsv"
                other=$(tail -n 1 "$WORK/tries.tsv" | cut -f 11)
                ((other > MAX_OTHER_CPU)) || break
            done
            sort -t $'\t' -k 11,11n "$WORK/tries.tsv" | head -n 1 >>"$RAW"
        done
    done
done

# --- Report -----------------------------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
STAMP=$(date -u +%Y%m%d-%H%M%S)
REPORT=$RESULTS_DIR/$STAMP.md
cp "$RAW" "$RESULTS_DIR/$STAMP.tsv"

{
    echo "# Gatehouse benchmark, $STARTED_AT"
    echo
    echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/{printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
    echo "- dotnet $(dotnet --version) (runtime $(dotnet --list-runtimes | awk '/NETCore.App/{v = $2} END {print v}')), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}')"
    echo "- wrk -t$WRK_THREADS$([[ " $SCENARIOS " == *" h2-"* ]] && echo " (h2-*: $(h2load --version 2>&1 | head -n 1) -t$WRK_THREADS -m$H2_STREAMS)"), ${DURATION}s per run, $ROUNDS rounds in rotating order, warm-up ${WARMUP}s (.NET) and ${SCENARIO_WARMUP}s per scenario; nginx upstream keepalive $NGINX_UPSTREAM_KEEPALIVE"
    echo "- Gatehouse ($GATEHOUSE_BUILD build) at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" status --porcelain -- src 2>/dev/null | grep -q . && echo ' with uncommitted changes in src/')${GATEHOUSE_ENV:+; gatehouse-env with $GATEHOUSE_ENV}${GATEHOUSE_ENV_DLL:+; gatehouse-env from $GATEHOUSE_ENV_DLL}$([[ ${GATEHOUSE_ACCESS_LOG:-off} == stdout ]] && echo '; gatehouse and gatehouse-env with the access log on stdout'); $QUIET_NOTE"
    echo "- wrk, the backend and the proxy share the same cores; proxy CPU is utime+stime of its process(es) / requests; peak RSS is VmHWM, reset before each run (nginx: master + workers summed; varnish: manager + cache process); alloc B/req is the .NET process's GC.GetTotalAllocatedBytes over the run / requests (bench/AllocProbe; for the AOT build, which runs no startup hook, Gatehouse's own dotnet_gc_heap_total_allocated_bytes_total from its admin port$([[ $ALLOC_PROBE == 1 ]] || echo '; off in this run'))"
    echo
    echo "Medians:"
    echo
    awk -F'\t' -v order="$CONTENDERS" -f "$ROOT/bench/summarize.awk" "$RAW"
    # Only when some runs were disturbed and some were not (otherwise the tables below would be the same, or empty).
    if awk -F'\t' -v max="$MAX_OTHER_CPU" 'NR > 1 { if ($11 + 0 > max + 0) hit = 1; else quiet = 1 } END { exit !(hit && quiet) }' "$RAW"; then
        echo
        echo "Some runs were disturbed by other work. The same, from the runs in which it took at most $MAX_OTHER_CPU% of the machine:"
        echo
        awk -F'\t' -v order="$CONTENDERS" -v max_other="$MAX_OTHER_CPU" -f "$ROOT/bench/summarize.awk" "$RAW"
    elif awk -F'\t' -v max="$MAX_OTHER_CPU" 'NR > 1 && $11 + 0 <= max + 0 { quiet = 1 } END { exit quiet }' "$RAW"; then
        echo
        echo "WARNING: other work took more than $MAX_OTHER_CPU% of the machine in every run: these numbers are noisy."
    fi
    if [[ $GOALS == 1 ]]; then
        echo
        echo "Issue 14's goals (medians of this run; ratios to nginx and to the minimal YARP app of the same run):"
        echo
        awk -F'\t' -f "$ROOT/bench/goals.awk" "$RAW"
    fi
} | tee "$REPORT"
log "written: $REPORT and $RESULTS_DIR/$STAMP.tsv"
