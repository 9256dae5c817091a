#!/usr/bin/env bash
# Memory across bursts of 1,000 connections: Gatehouse in front of the bench backend, then ROUNDS times `wrk -c1000`
# for BURST seconds followed by IDLE seconds of nothing. After each burst and each idle time it prints RSS, its peak
# since the burst began (VmHWM, reset before each burst), the anonymous memory, and from Gatehouse's own /metrics the
# memory the GC keeps committed and the heap left after its last collection. Shows whether memory comes back between
# bursts and whether each burst needs more (docs/performance.md, session 14), and the GC's pause time so far: what grows
# during an idle time is the idle trim's collection (IDLE=25 lets it run after each burst). Loopback only, bounded by ROUNDS.
#
#   bench/bursts.sh                                        # the AOT build bench/run.sh publishes (artifacts/bench)
#   GATEHOUSE_ENV="DOTNET_GCConserveMemory=9" bench/bursts.sh   # a runtime knob (the GC reads hex values, no 0x)
#   GATEHOUSE="dotnet src/Gatehouse/bin/Release/net10.0/gatehouse.dll" IDLE=25 ROUNDS=3 bench/bursts.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-4}
BURST=${BURST:-8}
IDLE=${IDLE:-8}
CONNECTIONS=${CONNECTIONS:-1000}
PORT=${PORT:-18301}
ADMIN_PORT=${ADMIN_PORT:-18302}
BACKEND_PORT=${BACKEND_PORT:-19301}
GATEHOUSE=${GATEHOUSE:-$ROOT/artifacts/bench/publish/linux-x64/gatehouse}
BACKEND_DLL=$ROOT/bench/Backend/bin/Release/net10.0/bench-backend.dll
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
command -v wrk >/dev/null || { echo "bursts.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
read -ra program <<<"$GATEHOUSE"
command -v "${program[0]}" >/dev/null || { echo "bursts.sh: no ${program[0]} (run bench/run.sh once, or packaging/publish.sh)" >&2; exit 1; }
[[ -f $BACKEND_DLL ]] || dotnet build -c Release -nologo -v q "$ROOT/bench/Backend" >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bursts.XXXXXX")
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
dotnet "$BACKEND_DLL" "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
cat >"$WORK/gatehouse.json" <<EOF
{
  "listeners": [ { "address": "127.0.0.1", "port": $PORT } ],
  "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
  "clusters": { "c": { "destinations": { "a": { "address": "http://127.0.0.1:$BACKEND_PORT" } } } },
  "accessLog": { "enabled": false },
  "admin": { "port": $ADMIN_PORT }
}
EOF
read -ra env_vars <<<"${GATEHOUSE_ENV:-}"
env "${env_vars[@]}" "${program[@]}" run --config "$WORK/gatehouse.json" >"$WORK/gatehouse.log" 2>&1 &
GP=$!
PIDS+=("$GP")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/small" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/small" >/dev/null || { echo "bursts.sh: Gatehouse did not answer: $(tail -5 "$WORK/gatehouse.log")" >&2; exit 1; }

state() {
    awk '/^VmRSS/{r=$2} /^VmHWM/{h=$2} END{printf "RSS %4d MB  peak %4d MB  ", r/1024, h/1024}' "/proc/$GP/status"
    awk '/^Anonymous:/{printf "anon %4d MB  ", $2/1024}' "/proc/$GP/smaps_rollup"
    curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '
        /^dotnet_gc_last_collection_memory_committed_size_bytes/ { c = $2 }
        /^dotnet_gc_last_collection_heap_size_bytes/ { h += $2 }
        /^dotnet_gc_pause_time_seconds_total/ { p = $2 }
        END { printf "GC committed %4.0f MB  heap after last GC %4.0f MB  GC pauses %6.1f ms in all\n", c / 1048576, h / 1048576, p * 1000 }'
}

echo "idle:                 $(state)"
wrk -t2 -c64 -d"$BURST"s "http://127.0.0.1:$PORT/small" >/dev/null
echo "after 64 connections: $(state)"
for round in $(seq "$ROUNDS"); do
    echo 5 >"/proc/$GP/clear_refs" # resets VmHWM to the current RSS
    rate=$(wrk -t2 -c"$CONNECTIONS" -d"$BURST"s "http://127.0.0.1:$PORT/small" | awk '/Requests\/sec/{printf "%.0f", $2}')
    echo "burst $round ($rate req/s): $(state)"
    sleep "$IDLE"
    echo "  then ${IDLE}s idle:     $(state)"
done
