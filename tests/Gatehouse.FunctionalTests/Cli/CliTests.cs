using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Cli;

/// <summary>The gatehouse executable as a user runs it.</summary>
public sealed class CliTests
{
    private const int SIGHUP = 1;
    private const int SIGTERM = 15;

    [Fact]
    public async Task Validate_InvalidConfig_ReportsEveryErrorWithItsPath_AndExits1()
    {
        var path = await WriteTempAsync("""
            {
              "listeners": [ { "address": "not-an-ip", "port": 70000 } ],
              "routes": { "api": { "clusterId": "nope", "match": { "pathPrefix": "api" }, "timeout": "soon" } },
              "clusters": {
                "api": {
                  "loadBalancingPolicy": "Fastest",
                  "destinations": { "d1": { "address": "localhost:9000" }, "d2": { "address": "http://127.0.0.1:9001", "weight": 0 } },
                  "healthCheck": { "active": { "interval": "5 seconds" } },
                  "retyr": { }
                }
              }
            }
            """);

        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", path);

        Assert.Equal(1, exit);
        foreach (var expected in new[]
        {
            "listeners[0].address:", "listeners[0].port:", "routes.api.clusterId: no cluster named 'nope'", "routes.api.match.pathPrefix:",
            "routes.api.timeout:", "clusters.api.loadBalancingPolicy:", "clusters.api.destinations.d1.address: 'localhost:9000' is not an absolute http(s) URI",
            "clusters.api.destinations.d2.weight:", "clusters.api.healthCheck.active.interval:", "clusters.api.retyr: unknown setting",
        })
        {
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_ValidConfig_Exits0()
    {
        var path = await WriteTempAsync(Configs.SingleCluster("""      "d1": { "address": "http://127.0.0.1:9001" }"""));
        var (exit, stdout, _) = await GatehouseProcess.RunToEndAsync("validate", path);
        Assert.Equal(0, exit);
        Assert.Contains("valid", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TwoRoutesWithTheSameMatch_NamesBoth_AndExits1()
    {
        // "/api" is mapped to the template "/api/{**…}", so these two are one match that routing could not choose between.
        var path = await WriteTempAsync("""
            {
              "listeners": [ { "port": 8080 } ],
              "routes": {
                "api": { "clusterId": "c", "match": { "pathPrefix": "/api" } },
                "apiAgain": { "clusterId": "c", "match": { "path": "/API/{**rest}" } }
              },
              "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:9001" } } } }
            }
            """);

        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", path);

        Assert.Equal(1, exit);
        Assert.Contains("routes.apiAgain.match: same match as routes.api and the same order (0)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BrokenJson_NamesTheLine()
    {
        var path = await WriteTempAsync("{\n  \"listeners\": [\n    { \"port\": 8080, }\n  ],\n  \"routes\": { \"x\" \n}");
        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", path);
        Assert.Equal(1, exit);
        Assert.Contains("line ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("run", "--version")]
    [InlineData("proxy", "--version")]
    public async Task Version_WorksEverywhere(params string[] args)
    {
        var (exit, stdout, _) = await GatehouseProcess.RunToEndAsync(args);
        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout.Trim());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("validate", "--help")]
    [InlineData("proxy", "--help")]
    [InlineData("demo", "--help")]
    public async Task Help_WorksEverywhere(params string[] args)
    {
        var (exit, stdout, _) = await GatehouseProcess.RunToEndAsync(args);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InvalidConfig_Exits1WithoutListening()
    {
        var path = await WriteTempAsync("{ \"listeners\": [] }");
        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("run", "--config", path);
        Assert.Equal(1, exit);
        Assert.Contains("listeners: at least one listener is required", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_QuickMode_ForwardsToTheBackends()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var port = TestBackend.UnusedPort();
        await using var gatehouse = GatehouseProcess.Start("proxy", "--from", $"http://127.0.0.1:{port}", "--to", a.Address.ToString(), "--to", b.Address.ToString(), "--lb", "RoundRobin");
        await gatehouse.WaitForLineAsync("listening on");

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var seen = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await client.GetStringAsync("/"));
        }

        Assert.Equal(["a", "b"], seen.Order());
    }

    [Fact]
    public async Task Demo_AnswersFromBothBackendsInTurn_AndShowsItsDashboard()
    {
        var port = TestBackend.UnusedPort();
        var adminPort = TestBackend.UnusedPort();
        var storage = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        await using var gatehouse = GatehouseProcess.Start("demo", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--https-port", TestBackend.UnusedPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--admin-port", adminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--storage", storage);
        await gatehouse.WaitForLineAsync("Gatehouse demo is running");

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var first = await client.GetStringAsync("/");
        var second = await client.GetStringAsync("/");
        Assert.Contains("backend-", first, StringComparison.Ordinal);
        Assert.NotEqual(first[..first.IndexOf('!', StringComparison.Ordinal)], second[..second.IndexOf('!', StringComparison.Ordinal)]);

        // The admin API is on, on loopback without a token: the dashboard and the status of both destinations.
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        Assert.Contains("<html", await admin.GetStringAsync("/dashboard"), StringComparison.OrdinalIgnoreCase);
        var status = await admin.GetStringAsync("/status");
        Assert.Contains("backend-a", status, StringComparison.Ordinal);
        Assert.Contains("backend-b", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_DrainsInFlightRequests_ThenExits0()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartAsync("slow", async context =>
        {
            arrived.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("finished");
        });
        var port = TestBackend.UnusedPort();
        var path = await WriteTempAsync(Configs.SingleCluster(Configs.Destinations(slow)).Replace("\"port\": 0", $"\"port\": {port}", StringComparison.Ordinal));
        await using var gatehouse = GatehouseProcess.Start("run", "--config", path);
        await gatehouse.WaitForLineAsync("listening on");

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var inFlight = client.GetStringAsync("/");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        gatehouse.Signal(SIGTERM);
        // New connections are refused once draining starts.
        await AssertRefusedSoonAsync(port);
        release.SetResult();

        Assert.Equal("finished", await inFlight);
        Assert.Equal(0, await gatehouse.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Sighup_ReloadsTheConfig()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var port = TestBackend.UnusedPort();
        var path = await WriteTempAsync(Configs.SingleCluster(Configs.Destinations(a)).Replace("\"port\": 0", $"\"port\": {port}", StringComparison.Ordinal));
        await using var gatehouse = GatehouseProcess.Start("run", "--config", path);
        await gatehouse.WaitForLineAsync("listening on");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal("a", await client.GetStringAsync("/"));

        await File.WriteAllTextAsync(path, Configs.SingleCluster(Configs.Destinations(b)).Replace("\"port\": 0", $"\"port\": {port}", StringComparison.Ordinal));
        await gatehouse.WaitForLineAsync("Config reloaded (file change)");
        gatehouse.Signal(SIGHUP);
        await gatehouse.WaitForLineAsync("Config reloaded (SIGHUP)");

        Assert.Equal("b", await client.GetStringAsync("/"));
    }

    private static async Task AssertRefusedSoonAsync(int port)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            }
            catch (System.Net.Sockets.SocketException)
            {
                return;
            }

            // The listener closes right after the signal is handled; try again.
            await Task.Yield();
        }
    }

    private static async Task<string> WriteTempAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gatehouse-cli-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
