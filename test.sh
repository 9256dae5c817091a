#!/usr/bin/env bash
# Runs every Gatehouse test on a fresh machine with the .NET 10 SDK: installs the Debian packages the tests need
# (when missing), starts nothing that the tests start themselves, runs `dotnet test`, and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"

# Debian packages the test suite needs. (Issue 2 needs none beyond the SDK; later capabilities add redis-server, pebble…)
PACKAGES=(ca-certificates openssl pebble nginx python3 chromium chromium-driver systemd adduser prometheus nghttp2-client php8.2-fpm dnsmasq-base redis-server haproxy curl clang zlib1g-dev iproute2) # iproute2: ss reads the listeners' backlog back from the kernel (ListenBacklogTests); clang, zlib1g-dev: the Native AOT build that packaging/publish.sh ships, and that NativeExecutableTests and the .deb test run, is linked with them; nghttp2-client: nghttp speaks prior-knowledge h2c to a plain listener (H2cListenerTests), h2load drives bench/grpc.sh; haproxy, curl: the PROXY protocol tests (ProxyProtocol*Tests) send and accept the header with them; prometheus: the scrape test runs the server and promtool; redis-server: the cluster-mode tests (RedisServer) start their own on loopback; dnsmasq-base: the DNS discovery tests (DnsDestinationsTests) start dnsmasq on a loopback port of their own (the binary only: the dnsmasq package would also start a system resolver on port 53); php8.2-fpm: PhpFpmTests start PHP-FPM on a loopback port (FastCGI destinations); prometheus: the scrape test runs the server and promtool; openssl: the TLS tests drive s_client and an OCSP responder; pebble: the ACME test CA; nginx, python3: backends that read paths their own way (PathConfusionTests start their own, on loopback ports of their own); chromium, chromium-driver: the dashboard test (DashboardBrowserTests) drives a headless browser; systemd, adduser: the .deb test installs the package (its postinst adds a user) and runs systemd-analyze verify on its unit

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Gatehouse runs with inline socket completions (src/Gatehouse/Program.cs); the tests host it in their own processes
# too, so they run with the same switch, unless the caller set it.
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-1}
log=$(mktemp)
dotnet test Gatehouse.slnx 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints a summary per run; sum them all.
passed=$(grep -E '^\s*succeeded: [0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -E '^\s*failed: [0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1 # the run itself failed (build error, crash): never report a clean sheet
fi
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$status"
