# Sourced by bench/cluster.sh (PARTS=ratelimit): requests under rate-limit policies, counted in process (rl-single) and
# in Redis (rl-cluster). The routes and what each measures are described at the top of bench/cluster.sh.

# wrk sends a new X-Client on every request: each thread numbers its requests, under a prefix new for each run, so a
# client is never seen twice and the 60-a-minute policy admits every request.
rl_write_wrk_script() {
    cat >"$WORK/per-key.lua" <<'EOF'
local prefix = os.getenv("KEY_PREFIX") or "k"
local thread_count = 0
function setup(thread)
    thread_count = thread_count + 1
    thread:set("id", thread_count)
end
local sent = 0
function request()
    sent = sent + 1
    return wrk.format(nil, nil, { ["X-Client"] = prefix .. "-" .. id .. "-" .. sent })
end
EOF
}

rl_start_nodes() {
    local offset=$((2 * ${#CONTENDERS[@]}))
    for i in "${!RL_CONTENDERS[@]}"; do
        local name=${RL_CONTENDERS[$i]} cluster=""
        PORT[$name]=$((FIRST_PORT + offset + 2 * i))
        ADMIN[$name]=$((FIRST_PORT + offset + 2 * i + 1))
        [[ $name != rl-cluster ]] || cluster=", \"cluster\": { \"redis\": \"127.0.0.1:$REDIS_PORT\", \"nodeName\": \"$name\" }"
        cat >"$WORK/$name.json" <<EOF
{
  "listeners": [ { "address": "127.0.0.1", "port": ${PORT[$name]} } ],
  "accessLog": { "enabled": false },
  "admin": { "address": "127.0.0.1", "port": ${ADMIN[$name]} },
  "rateLimits": {
    "large":   { "algorithm": "fixedWindow", "permitLimit": 10000000, "window": "1m" },
    "per-key": { "algorithm": "fixedWindow", "key": "header:X-Client", "permitLimit": 60, "window": "1m" },
    "tiny":    { "algorithm": "fixedWindow", "permitLimit": 1, "window": "1h" }
  },
  "routes": {
    "open":    { "clusterId": "b", "match": { "pathPrefix": "/open" },    "transforms": [ { "PathRemovePrefix": "/open" } ],    "rateLimit": "none" },
    "admit":   { "clusterId": "b", "match": { "pathPrefix": "/admit" },   "transforms": [ { "PathRemovePrefix": "/admit" } ],   "rateLimit": "large" },
    "per-key": { "clusterId": "b", "match": { "pathPrefix": "/per-key" }, "transforms": [ { "PathRemovePrefix": "/per-key" } ], "rateLimit": "per-key" },
    "deny":    { "clusterId": "b", "match": { "pathPrefix": "/deny" },    "transforms": [ { "PathRemovePrefix": "/deny" } ],    "rateLimit": "tiny" }
  },
  "clusters": { "b": { "destinations": { "d": { "address": "http://127.0.0.1:$BACKEND_PORT" } } } }
  $cluster
}
EOF
        dotnet "$GATEHOUSE_DLL" run --config "$WORK/$name.json" >"$WORK/$name.out" 2>"$WORK/$name.err" &
        PIDS+=($!)
    done
    for name in "${RL_CONTENDERS[@]}"; do wait_for "http://127.0.0.1:${ADMIN[$name]}/healthz" "$WORK/$name.err"; done
}

rl_status() { # node route [curl options...] -> HTTP status
    local name=$1 route=$2
    shift 2
    curl -s -o /dev/null -w '%{http_code}' "$@" "http://127.0.0.1:${PORT[$name]}/$route/small"
}

# Each contender must behave as its scenario claims before it is measured.
rl_verify() {
    for name in "${RL_CONTENDERS[@]}"; do
        for route in open admit; do
            [[ $(rl_status "$name" "$route") == 200 ]] || die "$name /$route/small did not answer 200"
        done
        # Twice at most: Redis's fixed windows turn on the minute, and a turn during the probe admits a 61st request.
        local codes="" attempt
        for attempt in 1 2; do
            codes=""
            for _ in $(seq 1 61); do codes+="$(rl_status "$name" per-key -H "X-Client: probe-$name-$attempt") "; done
            [[ $codes != "$(printf '200 %.0s' $(seq 1 60))429 " ]] || break
        done
        [[ $codes == "$(printf '200 %.0s' $(seq 1 60))429 " ]] || die "$name per-key: 60 × 200 then 429 expected, got $codes"
        [[ $(rl_status "$name" per-key -H "X-Client: other-$name") == 200 ]] || die "$name per-key: another client was refused"
        rl_status "$name" deny >/dev/null # spends the only permit
        local refusal
        refusal=$(curl -s -D - -o /dev/null "http://127.0.0.1:${PORT[$name]}/deny/small")
        [[ $refusal == "HTTP/1.1 429"* ]] || die "$name /deny/small: 429 expected, got ${refusal%%$'\r'*}"
        grep -qi '^retry-after:' <<<"$refusal" || die "$name /deny/small: 429 without Retry-After"
        log "$name: open and admit 200, per-key 60 × 200 then 429, deny 429 with Retry-After"
    done
    local keys
    keys=$(redis-cli -p "$REDIS_PORT" --scan --pattern '*ratelimit:*' | wc -l)
    ((keys > 0)) || die "rl-cluster left no ratelimit key in Redis: its policies are not counted there"
    log "Redis holds $keys rate-limit keys after the checks"
}

rl_script_calls() { # -> Lua script calls Redis has served since the last CONFIG RESETSTAT
    redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' |
        awk -F'[:=,]' '/^cmdstat_(eval|evalsha|fcall)[_a-z]*:/ { n += $3 } END { print n + 0 }'
}

rl_run() { # seconds node route -> wrk output
    local args=()
    [[ $3 != per-key ]] || args=(-s "$WORK/per-key.lua")
    KEY_PREFIX="$2-$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${1}s" --latency "${args[@]}" "http://127.0.0.1:${PORT[$2]}/$3/small" 2>&1
}

ratelimit_part() {
    rl_write_wrk_script
    rl_start_nodes
    rl_verify
    declare -A CALLS
    local route name round offset out requests non2xx errors calls
    # Warm-up: the first route measured would otherwise pay for the JIT (in quick runs rl-cluster, measured first, was
    # 0.68 of rl-single on the open route, where both do the same work).
    for name in "${RL_CONTENDERS[@]}"; do rl_run 5 "$name" open >/dev/null; done
    for route in "${RL_ROUTES[@]}"; do
        for name in "${RL_CONTENDERS[@]}"; do rl_run 2 "$name" "$route" >/dev/null; done # warm-up
        for round in $(seq 1 "$ROUNDS"); do
            for offset in "${!RL_CONTENDERS[@]}"; do
                name=${RL_CONTENDERS[$(((offset + round) % ${#RL_CONTENDERS[@]}))]}
                redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
                out=$(rl_run "$DURATION" "$name" "$route")
                calls=$(rl_script_calls)
                requests=$(awk '/requests in/ { print $1 }' <<<"$out")
                non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
                errors=$(awk '/Socket errors/ { printf "%s ", $0 }' <<<"$out")
                # deny is all 429s; the others must have none (a refusal there would mean the scenario is wrong).
                if [[ $route == deny ]]; then
                    [[ ${non2xx:-0} == "$requests" ]] || errors+="$((requests - ${non2xx:-0})) not refused "
                else
                    [[ -z $non2xx ]] || errors+="$non2xx non-2xx "
                fi
                [[ -z $errors ]] || ERRORS[$route,$name]+="round $round: $errors; "
                RESULTS[$route,$name]+="$(wrk_field "$out") "
                CALLS[$route,$name]+="$(awk -v c="$calls" -v r="$requests" 'BEGIN { printf "%.1f", r ? 1000 * c / r : 0 }'):0 "
                log "$route $name round $round: $(wrk_field "$out") ($requests requests, $calls Redis script calls) $errors"
            done
        done
    done

    printf '\n| route | contender | req/s (median of %s) | vs rl-single | p99 | Redis script calls per 1,000 requests | errors |\n|---|---|---|---|---|---|---|\n' "$ROUNDS"
    for route in "${RL_ROUTES[@]}"; do
        local base
        base=$(median 1 <<<"${RESULTS[$route,rl-single]}")
        for name in "${RL_CONTENDERS[@]}"; do
            local rps
            rps=$(median 1 <<<"${RESULTS[$route,$name]}")
            printf '| %s | %s | %.0f | %.2f | %s | %s | %s |\n' "$route" "$name" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')" \
                "$(median_latency <<<"${RESULTS[$route,$name]}")" "$(median 1 <<<"${CALLS[$route,$name]}")" "${ERRORS[$route,$name]:-none}"
        done
    done
}
