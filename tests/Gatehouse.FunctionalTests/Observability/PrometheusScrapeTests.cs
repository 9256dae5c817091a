using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.Acme.Tests.TestSupport;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Observability;

/// <summary>
/// Debian's Prometheus server scrapes Gatehouse's <c>/metrics</c> (with the admin token) and answers PromQL about the
/// requests the test made; promtool lints the exposition.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private const string Token = "scrape-token";

    private static string TwoRoutes(TestBackend api, TestBackend web) => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "admin": { "port": 0, "token": "{{Token}}" },
          "routes": {
            "api": { "clusterId": "api", "match": { "pathPrefix": "/api" } },
            "web": { "clusterId": "web", "match": { "pathPrefix": "/web" } }
          },
          "clusters": {
            "api": { "destinations": { "a": { "address": "{{api.Address}}" } } },
            "web": { "destinations": { "w": { "address": "{{web.Address}}" } } }
          }
        }
        """;

    [Fact]
    public async Task Prometheus_ScrapesGatehouse_AndPromQlCountsEachRouteAndStatusClassExactly()
    {
        await using var api = await TestBackend.StartAsync("api");
        await using var web = await TestBackend.StartAsync("web", context =>
        {
            context.Response.StatusCode = context.Request.Path.StartsWithSegments("/web/missing") ? 404 : 200;
            return Task.CompletedTask;
        });
        await using var proxy = await TestProxy.StartAsync(TwoRoutes(api, web));

        // api: 7 × 2xx; web: 5 × 2xx and 3 × 4xx (the backend's 404); no route: 2 × 4xx (Gatehouse's 404).
        var requests = Enumerable.Repeat("/api/items", 7).Concat(Enumerable.Repeat("/web/page", 5))
            .Concat(Enumerable.Repeat("/web/missing", 3)).Concat(Enumerable.Repeat("/elsewhere", 2));
        foreach (var path in requests)
        {
            using var response = await proxy.Client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
        }

        using var prometheus = PrometheusServer.Start(proxy.AdminAddress, Token);
        var expected = new Dictionary<string, double>
        {
            ["api 2xx"] = 7,
            ["web 2xx"] = 5,
            ["web 4xx"] = 3,
            ["(none) 4xx"] = 2,
        };

        var counts = await prometheus.WaitForAsync(
            "sum by (route, status_class) (http_server_request_duration_seconds_count)",
            result => result.Count == expected.Count && expected.All(e => result.GetValueOrDefault(e.Key) == e.Value),
            labels => $"{labels.GetProperty("route").GetString()} {labels.GetProperty("status_class").GetString()}");
        Assert.Equal(expected.OrderBy(e => e.Key), counts.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Promtool_CheckMetrics_FindsNoProblem()
    {
        await using var backend = await TestBackend.StartAsync("api");
        await using var proxy = await TestProxy.StartAsync(TwoRoutes(backend, backend));
        for (var i = 0; i < 3; i++)
        {
            (await proxy.Client.GetAsync("/api/x")).Dispose();
            (await proxy.Client.GetAsync("/nowhere")).Dispose();
        }

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var scrape = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", scrape.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = await scrape.Content.ReadAsStringAsync();
        Assert.Contains("http_server_request_duration_seconds_count{method=\"GET\",route=\"api\",status_class=\"2xx\"} 3", text, StringComparison.Ordinal);

        var start = new ProcessStartInfo("promtool") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = promtool.StandardOutput.ReadToEndAsync();
        var errors = promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(promtool.ExitCode == 0 && (await output + await errors).Trim().Length == 0, $"promtool: exit {promtool.ExitCode}: {await output}{await errors}");
    }

    [Fact]
    public async Task Metrics_WithoutTheToken_Is401()
    {
        await using var backend = await TestBackend.StartAsync("api");
        await using var proxy = await TestProxy.StartAsync(TwoRoutes(backend, backend));
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var anonymous = await admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    /// <summary>Debian's <c>prometheus</c> on a loopback port, scraping one target every second, its data in a temporary directory.</summary>
    private sealed class PrometheusServer : IDisposable
    {
        private readonly ChildProcess _process;
        private readonly string _directory;
        private readonly HttpClient _api;

        private PrometheusServer(ChildProcess process, string directory, int port)
        {
            _process = process;
            _directory = directory;
            _api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        }

        public static PrometheusServer Start(Uri target, string token)
        {
            var directory = Directory.CreateTempSubdirectory("gatehouse-prometheus-").FullName;
            var config = Path.Combine(directory, "prometheus.yml");
            File.WriteAllText(config, $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: gatehouse
                    authorization:
                      credentials: {token}
                    static_configs:
                      - targets: ['127.0.0.1:{target.Port}']
                """);
            var port = FreePorts.Tcp();
            var process = new ChildProcess("prometheus",
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}"],
                new Dictionary<string, string>(), directory);
            return new PrometheusServer(process, directory, port);
        }

        /// <summary>Runs the instant query until <paramref name="done"/> holds for its result (each series named by <paramref name="name"/>), or 60 s pass.</summary>
        public async Task<Dictionary<string, double>> WaitForAsync(string query, Func<Dictionary<string, double>, bool> done, Func<JsonElement, string> name)
        {
            var deadline = Stopwatch.StartNew();
            var last = new Dictionary<string, double>();
            var lastError = "";
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    using var document = JsonDocument.Parse(await _api.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query)));
                    last = document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
                        series => name(series.GetProperty("metric")),
                        series => double.Parse(series.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                    if (done(last))
                    {
                        return last;
                    }
                }
                catch (HttpRequestException ex)
                {
                    // Not listening yet.
                    lastError = ex.Message;
                }

                Assert.False(_process.HasExited, $"prometheus exited: {_process.Output}");
                // Polling Prometheus's API (its scrapes are not events the test can await) with a bounded deadline.
                await Task.Delay(200);
            }

            Assert.Fail($"after 60 s Prometheus answered {JsonSerializer.Serialize(last)} {lastError}\n{_process.Output}");
            return last;
        }

        public void Dispose()
        {
            _process.Dispose();
            _api.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Prometheus may still be closing its files; the temporary directory is left.
            }
        }
    }
}
