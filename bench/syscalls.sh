#!/usr/bin/env bash
# System calls and context switches per small request of one Gatehouse (perf stat on its process) at 64 connections,
# with CPU per request; FORWARDER=lean|yarp, DLL=another build, EXTRA_ENV="VAR=value ...", CONNS=64.
# Needs a Release build (bench/run.sh makes one) and perf. Example: FORWARDER=yarp bench/syscalls.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd); W=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-syscalls.XXXXXX"); mkdir -p $W/conf
DLL=${DLL:-$ROOT/src/Gatehouse/bin/Release/net10.0/gatehouse.dll}
free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
BP=$(free_port) GP=$(free_port)
dotnet $ROOT/bench/Backend/bin/Release/net10.0/bench-backend.dll $BP >$W/backend.out 2>&1 & BPID=$!
cat >$W/conf/gatehouse.json <<JSON
{ "listeners": [ { "address": "127.0.0.1", "port": $GP } ],
  "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
  "clusters": { "c": { "loadBalancingPolicy": "RoundRobin", "destinations": { "a": { "address": "http://127.0.0.1:$BP" } } } } }
JSON
env ${EXTRA_ENV:-} GATEHOUSE_FORWARDER=${FORWARDER:-lean} dotnet $DLL run --config $W/conf/gatehouse.json >$W/gh.out 2>&1 & GPID=$!
trap "kill $GPID $BPID 2>/dev/null; rm -rf $W" EXIT
for _ in $(seq 100); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:$GP/small && break; sleep 0.2; done
wrk -t2 -c${CONNS:-64} -d15s http://127.0.0.1:$GP/small >/dev/null
t0=$(awk '{print $14+$15}' /proc/$GPID/stat)
wrk -t2 -c${CONNS:-64} -d10s http://127.0.0.1:$GP/small > $W/wrk.txt &
WP=$!
sleep 1; perf stat -e 'raw_syscalls:sys_enter,context-switches' -p $GPID -o $W/stat.txt -- sleep 8 2>/dev/null
perf stat -e 'syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_poll,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_futex,syscalls:sys_enter_sched_yield,syscalls:sys_enter_writev,syscalls:sys_enter_readv,syscalls:sys_enter_write,syscalls:sys_enter_read,syscalls:sys_enter_sendmsg,syscalls:sys_enter_recvmsg' -p $GPID -o $W/stat2.txt -- sleep 1 2>/dev/null || true
wait $WP
t1=$(awk '{print $14+$15}' /proc/$GPID/stat)
reqs=$(awk '/requests in/{print $1}' $W/wrk.txt); rps=$(awk '/Requests\/sec/{print $2}' $W/wrk.txt)
echo "$TAG reqs=$reqs rps=$rps cpu_us_per_req=$(( (t1-t0)*10000*1000/reqs/1000 ))"
awk -v r=$rps '/sys_enter|context-switches/{gsub(",","",$1); printf "  %-40s %.2f per req\n", $2, $1/(r*8)}' $W/stat.txt
awk -v r=$rps '/sys_enter/{gsub(",","",$1); printf "  %-40s %.2f per req\n", $2, $1/(r*1)}' $W/stat2.txt
