using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.FunctionalTests.Packaging;

/// <summary>
/// The executable Gatehouse ships is compiled ahead of time (Native AOT, <c>packaging/publish.sh</c>): trimmed, with no
/// JIT and no run-time code generation. Everything the rest of the suite checks runs on the JIT build; these tests run
/// the published executable itself through what trimming and AOT could break: reading configs (generated JSON
/// metadata), the admin API and dashboard feed, the CLI's admin commands, TLS with SNI certificates, HTTP/2, the cache,
/// reloads and a draining stop.
/// </summary>
public sealed class NativeExecutableTests
{
    private const int SIGHUP = 1;
    private const int SIGTERM = 15;

    [Fact]
    public async Task Validate_EverySampleAndABrokenConfig_SaysWhatTheJitBuildSays()
    {
        var native = await NativeBuild.ExecutableAsync();
        var broken = Path.Combine(Path.GetTempPath(), $"gatehouse-native-broken-{Guid.NewGuid():N}.json");
        var wrongType = Path.Combine(Path.GetTempPath(), $"gatehouse-native-wrong-type-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(wrongType, """{ "listeners": [ { "port": 8080 } ], "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:1", "weight": "2" } } } } }""");
        await File.WriteAllTextAsync(broken, """
            {
              "listeners": [ { "address": "not-an-ip", "port": 70000, "colour": 1 } ],
              "routes": { "api": { "clusterId": "nope", "match": { "pathPrefx": "/api" }, "timeout": "soon" } },
              "clusters": {
                "api": {
                  "loadBalancingPolicy": "Fastest",
                  "destinations": { "d1": { "address": "localhost:9000" }, "d2": { "address": "http://127.0.0.1:9001", "weight": 0 } },
                  "healthCheck": { "active": { "interval": "5 seconds" } }
                }
              },
              "limits": { "maxRequestBodySize": "lots" }
            }
            """);
        try
        {
            var configs = Directory.GetFiles(Path.Combine(NativeBuild.RepositoryRoot, "samples"), "*.json").Append(broken).Append(wrongType).ToList();
            Assert.True(configs.Count >= 3);
            foreach (var config in configs)
            {
                var jit = await GatehouseProcess.RunToEndAsync("validate", config);
                var aot = await GatehouseProcess.RunExecutableToEndAsync(native, "validate", config);
                Assert.Equal((jit.ExitCode, jit.Stdout, jit.Stderr), (aot.ExitCode, aot.Stdout, aot.Stderr));
            }

            var brokenResult = await GatehouseProcess.RunExecutableToEndAsync(native, "validate", broken);
            Assert.Equal(1, brokenResult.ExitCode);
            Assert.Contains("listeners[0].colour: unknown setting", brokenResult.Stderr, StringComparison.Ordinal);
            Assert.Contains("clusters.api.destinations.d1.address: 'localhost:9000' is not an absolute http(s) URI", brokenResult.Stderr, StringComparison.Ordinal);
            Assert.Contains("routes.api.match.pathPrefx: unknown setting", brokenResult.Stderr, StringComparison.Ordinal);
            var wrongTypeResult = await GatehouseProcess.RunExecutableToEndAsync(native, "validate", wrongType);
            Assert.Equal(1, wrongTypeResult.ExitCode);
            Assert.Contains("clusters.c.destinations.d.weight: wrong type of value", wrongTypeResult.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
            File.Delete(wrongType);
        }
    }

    /// <summary>
    /// The whole scenario, also with writable-and-executable memory refused by the kernel (<c>packaging/deny-wx-exec</c>,
    /// as systemd's <c>MemoryDenyWriteExecute=yes</c>, which the packaged unit sets for this build): a step that needed
    /// such memory would crash the process or fail.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ProxiesCachesAndServesHttp2OverTls_AnswersTheAdminApiAndCli_Reloads_AndDrainsOnSigterm(bool writableExecutableRefused)
    {
        var native = await NativeBuild.ExecutableAsync();
        if (writableExecutableRefused)
        {
            await RequireDenyWxAsync();
        }

        GatehouseProcess Start(params string[] args) => writableExecutableRefused
            ? GatehouseProcess.StartExecutable(NativeBuild.DenyWx, [native, .. args])
            : GatehouseProcess.StartExecutable(native, args);
        Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => writableExecutableRefused
            ? GatehouseProcess.RunExecutableToEndAsync(NativeBuild.DenyWx, [native, .. args])
            : GatehouseProcess.RunExecutableToEndAsync(native, args);
        var served = 0;
        await using var backend = await TestBackend.StartAsync("native-backend", async context =>
        {
            var count = Interlocked.Increment(ref served);
            if (context.Request.Path.StartsWithSegments("/cached") || context.Request.Path.StartsWithSegments("/fresh"))
            {
                context.Response.Headers.CacheControl = "public, max-age=60";
            }

            await context.Response.WriteAsync($"backend {count} {context.Request.Path}");
        });
        using var pki = TestPki.Create();
        var files = pki.Write(pki.Issue("localhost", ["localhost"]), "localhost");
        var (http, https, admin) = (TestBackend.UnusedPort(), TestBackend.UnusedPort(), TestBackend.UnusedPort());
        const string token = "native-admin-token";
        string Config(string cachedPrefix) => $$"""
            {
              "listeners": [
                { "address": "127.0.0.1", "port": {{http}} },
                { "address": "127.0.0.1", "port": {{https}}, "tls": {} }
              ],
              "accessLog": { "enabled": false },
              "admin": { "port": {{admin}}, "token": "{{token}}" },
              "tls": { "redirectHttp": false, "certificates": [ {{TlsConfigs.Certificate(files, isDefault: true)}} ] },
              "routes": {
                "cached": { "clusterId": "c", "match": { "pathPrefix": "{{cachedPrefix}}" }, "cache": { "enabled": true } },
                "all": { "clusterId": "c", "match": { "pathPrefix": "/" } }
              },
              "clusters": { "c": { "loadBalancingPolicy": "RoundRobin", "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """;
        var path = Path.Combine(pki.Directory, "gatehouse.json");
        await File.WriteAllTextAsync(path, Config("/cached"));

        await using var gatehouse = Start("run", "--config", path);
        await gatehouse.WaitForLineAsync("listening on");

        // Plain HTTP, and a cache hit that never reaches the backend.
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        Assert.Equal("backend 1 /hello", await client.GetStringAsync("/hello"));
        Assert.Equal("backend 2 /cached/page", await client.GetStringAsync("/cached/page"));
        using (var hit = await client.GetAsync("/cached/page"))
        {
            Assert.Equal("backend 2 /cached/page", await hit.Content.ReadAsStringAsync());
            Assert.Contains("hit", string.Join(",", hit.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);
        }

        // HTTPS with HTTP/2, the certificate from the config's files.
        using var tlsHandler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => pki.Issued(certificate) },
        };
        tlsHandler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        };
        using var tls = new HttpClient(tlsHandler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using (var secure = await tls.GetAsync(new Uri($"https://localhost:{https}/secure")))
        {
            Assert.Equal(HttpVersion.Version20, secure.Version);
            Assert.Equal("backend 3 /secure", await secure.Content.ReadAsStringAsync());
        }

        // The admin API's bodies (generated JSON metadata), with and without the token.
        using var adminClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await adminClient.GetAsync("/status")).StatusCode);
        adminClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var status = JsonDocument.Parse(await adminClient.GetStringAsync("/status")))
        {
            Assert.Equal(["all", "cached"], status.RootElement.GetProperty("routes").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
            var destination = status.RootElement.GetProperty("clusters")[0].GetProperty("destinations")[0];
            Assert.Equal("d1", destination.GetProperty("id").GetString());
            Assert.Equal("active", destination.GetProperty("state").GetString());
            Assert.True(status.RootElement.GetProperty("cache").GetProperty("entries").GetInt64() >= 1);
        }

        var config = await adminClient.GetStringAsync("/config");
        Assert.Contains("\"[redacted]\"", config, StringComparison.Ordinal);
        Assert.DoesNotContain(token, config, StringComparison.Ordinal);
        using (var certificates = JsonDocument.Parse(await adminClient.GetStringAsync("/certificates")))
        {
            Assert.Contains("localhost", certificates.RootElement.GetProperty("certificates")[0].GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        }

        Assert.Contains("gatehouse_", await adminClient.GetStringAsync("/metrics"), StringComparison.Ordinal);
        using (var events = await adminClient.GetStreamAsync("/dashboard/events"))
        using (var reader = new StreamReader(events))
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(line);
            Assert.StartsWith("data: ", line, StringComparison.Ordinal);
            using var snapshot = JsonDocument.Parse(line["data: ".Length..]);
            Assert.Equal(2, snapshot.RootElement.GetProperty("routes").GetArrayLength());
        }

        // The CLI's admin commands, from the same executable.
        var cli = await Cli("status", "--admin", $"127.0.0.1:{admin}", "--token", token);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Matches(@"(?m)^c\s+d1\s+active\s", cli.Stdout);
        var json = await Cli("destination", "drain", "c", "d1", "--admin", $"127.0.0.1:{admin}", "--token", token, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using (var answer = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal("drained", answer.RootElement.GetProperty("destination").GetProperty("state").GetString());
        }

        Assert.Equal(0, (await Cli("destination", "enable", "c", "d1", "--admin", $"127.0.0.1:{admin}", "--token", token)).ExitCode);

        // A reload by SIGHUP: the cached route moves, so /cached/ is forwarded again and /fresh/ is cached.
        await File.WriteAllTextAsync(path, Config("/fresh"));
        gatehouse.Signal(SIGHUP);
        await gatehouse.WaitForLineAsync("Config reloaded");
        Assert.NotEqual("backend 2 /cached/page", await client.GetStringAsync("/cached/page"));
        var fresh = await client.GetStringAsync("/fresh/x");
        Assert.Equal(fresh, await client.GetStringAsync("/fresh/x"));

        // A refused reload keeps the last good config and names the problem.
        await File.WriteAllTextAsync(path, Config("no-slash"));
        using (var refused = await adminClient.PostAsync("/config/reload", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("routes.cached.match.pathPrefix", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(fresh, await client.GetStringAsync("/fresh/x"));

        gatehouse.Signal(SIGTERM);
        Assert.Equal(0, await gatehouse.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task RequireDenyWxAsync()
    {
        if (!await NativeBuild.KernelRefusesWxAsync())
        {
            Assert.Skip("this kernel cannot refuse writable-and-executable memory (PR_SET_MDWE needs Linux 6.3)");
        }
    }
}
