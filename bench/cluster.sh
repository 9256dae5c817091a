#!/usr/bin/env bash
# Cluster mode's cache (docs/cluster.md): cache hits answered by a node's own memory (L1) and by Redis (L2), against a
# single Gatehouse node without cluster mode, with wrk, everything on 127.0.0.1.
#
# Contenders (each a real gatehouse process in front of bench/Backend, the clustered ones sharing one redis-server
# without persistence):
#   single      no cluster section: hits from memory, as before cluster mode
#   cluster-l1  cluster mode: hits from its own memory (L1), Redis only on misses
#   cluster-l2  cluster mode with cache.maxEntryBytes 300 bytes, so that its memory keeps no response and every hit
#               is read from Redis (L2): the cost of a hit another node stored, on a node that does not have it yet
# Scenarios: /cached-small (13 bytes) and /cached-100k (102,400 bytes), "public, max-age=3600". The contenders are
# measured in alternation, ROUNDS times each; the table shows medians. Each node's /status is checked after its runs:
# the L1/L2 split must be the one the contender is meant to measure, and the backend must have seen one request per
# path and node at most.
#
# Rate limits (PARTS=ratelimit; docs/cluster.md "Rate limits across nodes"): two more nodes, rl-single (no cluster
# section: policies counted in process) and rl-cluster (policies counted in Redis by the Lua scripts), with the same
# routes to the backend's /small:
#   open      no policy: the baseline
#   admit     fixedWindow 10,000,000 a minute per IP: every request admitted; Redis is asked for leases of 50 permits
#   per-key   fixedWindow 60 a minute per X-Client header, wrk sending a new X-Client on every request: every request
#             admitted, and in cluster mode every request asks Redis (a policy below 100 permits takes no lease)
#   deny      fixedWindow 1 an hour per IP: every request refused (429); in cluster mode the node remembers the
#             denial (asks Redis about once a second per request in flight when it lapses)
# Before measuring, each route is checked on both nodes (200s, the 61st request of one X-Client refused, 429 with
# Retry-After); each cluster run reports how many Lua script calls Redis served per 1,000 requests.
#
#   bench/cluster.sh                   # about 7 minutes on an idle machine
#   ROUNDS=1 DURATION=3 bench/cluster.sh   # smoke test
#   PARTS=ratelimit bench/cluster.sh   # only the rate limits
#
# Settings: DURATION=8 (seconds per wrk run), ROUNDS=3, CONNECTIONS=64, WRK_THREADS=2, PARTS="cache ratelimit",
# SKIP_BUILD=1 (use the existing Release builds), BACKEND_PORT=19781, REDIS_PORT=19779, FIRST_PORT=18780 (five nodes and
# their admin ports follow).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
BACKEND_PORT=${BACKEND_PORT:-19781}
REDIS_PORT=${REDIS_PORT:-19779}
FIRST_PORT=${FIRST_PORT:-18780}
PARTS=${PARTS:-cache ratelimit}
CONTENDERS=(single cluster-l1 cluster-l2)
SCENARIOS=(cached-small cached-100k)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-cluster-bench.XXXXXX")
PIDS=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk redis-server curl; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk redis-server curl)"; done

GATEHOUSE_DLL=$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll
BACKEND_DLL=$ROOT/bench/Backend/bin/Release/net10.0/bench-backend.dll
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    for project in src/Gatehouse bench/Backend; do
        log "building $project (Release)"
        dotnet build -c Release -nologo -v q "$ROOT/$project" >"$WORK/build.log" 2>&1 || die "build of $project failed: $(tail -n 20 "$WORK/build.log")"
    done
fi

wait_for() { # url [log file]
    for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    die "$1 did not answer: $(tail -n 5 "${2:-/dev/null}" 2>/dev/null)"
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
dotnet "$BACKEND_DLL" "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$BACKEND_PORT/small"

declare -A PORT ADMIN RESULTS ERRORS
# Medians of "req/s:p99 ..." lists (field 1: req/s; latencies in wrk's units, printed in ms).
median() { tr ' ' '\n' | grep -v '^$' | cut -d: -f"$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
median_latency() { tr ' ' '\n' | grep -v '^$' | cut -d: -f2 | awk '{ v = $1; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; print v }' | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f ms\n", v[int((NR + 1) / 2)] }'; }

wrk_field() { # wrk output -> "req/s:p99"
    printf '%s:%s' "$(awk '/Requests\/sec/ { print $2 }' <<<"$1")" "$(awk '$1 == "99%" { print $2 }' <<<"$1")"
}

cache_part() {
for i in "${!CONTENDERS[@]}"; do
    name=${CONTENDERS[$i]}
    PORT[$name]=$((FIRST_PORT + 2 * i))
    ADMIN[$name]=$((FIRST_PORT + 2 * i + 1))
    cluster=""
    cache='"maxBytes": "256MB"'
    case $name in
        cluster-l1) cluster=", \"cluster\": { \"redis\": \"127.0.0.1:$REDIS_PORT\", \"nodeName\": \"$name\" }" ;;
        cluster-l2) cluster=", \"cluster\": { \"redis\": \"127.0.0.1:$REDIS_PORT\", \"nodeName\": \"$name\" }"; cache='"maxEntryBytes": 300' ;;
    esac
    cat >"$WORK/$name.json" <<EOF
{
  "listeners": [ { "address": "127.0.0.1", "port": ${PORT[$name]} } ],
  "accessLog": { "enabled": false },
  "admin": { "address": "127.0.0.1", "port": ${ADMIN[$name]} },
  "cache": { $cache },
  "routes": { "all": { "clusterId": "b", "match": { "pathPrefix": "/" }, "cache": { "enabled": true } } },
  "clusters": { "b": { "destinations": { "d": { "address": "http://127.0.0.1:$BACKEND_PORT" } } } }
  $cluster
}
EOF
    dotnet "$GATEHOUSE_DLL" run --config "$WORK/$name.json" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PIDS+=($!)
done
for name in "${CONTENDERS[@]}"; do wait_for "http://127.0.0.1:${ADMIN[$name]}/healthz" "$WORK/$name.err"; done

# Fill: the first request of each path through cluster-l1 stores it in Redis, so cluster-l2's first is already an L2 hit.
for scenario in "${SCENARIOS[@]}"; do
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[cluster-l1]}/$scenario"
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[single]}/$scenario"
done

run() { # contender scenario -> requests/s
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${1}s" --latency "http://127.0.0.1:${PORT[$2]}/$3" 2>&1
}
for scenario in "${SCENARIOS[@]}"; do
    for name in "${CONTENDERS[@]}"; do run 2 "$name" "$scenario" >/dev/null; done # warm-up
    for round in $(seq 1 "$ROUNDS"); do
        for offset in "${!CONTENDERS[@]}"; do
            name=${CONTENDERS[$(((offset + round) % ${#CONTENDERS[@]}))]}
            out=$(run "$DURATION" "$name" "$scenario")
            rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
            p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
            errors=$(awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }' <<<"$out")
            # Recorded, not fatal: on a loaded machine wrk's 2 s timeout can fire; the table says how often.
            [[ -z $errors ]] || ERRORS[$scenario,$name]+="round $round: $errors; "
            RESULTS[$scenario,$name]+="$rps:$p99 "
            log "$scenario $name round $round: $rps req/s, p99 $p99 $errors"
        done
    done
done


printf '\n| scenario | contender | req/s (median of %s) | vs single | p99 | errors |\n|---|---|---|---|---|---|\n' "$ROUNDS"
for scenario in "${SCENARIOS[@]}"; do
    base=$(median 1 <<<"${RESULTS[$scenario,single]}")
    for name in "${CONTENDERS[@]}"; do
        rps=$(median 1 <<<"${RESULTS[$scenario,$name]}")
        printf '| %s | %s | %.0f | %.2f | %s | %s |\n' "$scenario" "$name" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')" "$(median_latency <<<"${RESULTS[$scenario,$name]}")" "${ERRORS[$scenario,$name]:-none}"
    done
done

# Each node's account: the split it was meant to measure, and the backend asked once per path and node at most.
printf '\n'
for name in cluster-l1 cluster-l2; do
    printf '%s: %s\n' "$name" "$(curl -sf "http://127.0.0.1:${ADMIN[$name]}/status" | python3 -c 'import json,sys; c=json.load(sys.stdin)["cluster"]; print(c["state"], json.dumps(c["cache"]))')"
done
backend=$(curl -sf "http://127.0.0.1:$BACKEND_PORT/count")
printf 'backend requests for cached paths: %s (at most %s: one per path and node)\n' "$backend" $((${#SCENARIOS[@]} * ${#CONTENDERS[@]}))
((backend <= ${#SCENARIOS[@]} * ${#CONTENDERS[@]})) || log "warning: the caches let $backend requests through (Redis commands that timed out under load are misses)"
}

RL_ROUTES=(open admit per-key deny)
RL_CONTENDERS=(rl-single rl-cluster)
source "$ROOT/bench/cluster-ratelimit.sh"

[[ " $PARTS " != *" cache "* ]] || cache_part
[[ " $PARTS " != *" ratelimit "* ]] || ratelimit_part
uptime >&2
