using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.FunctionalTests.Admin;

/// <summary>
/// The admin commands of the gatehouse executable (a child process, as a user runs it) against a running Gatehouse
/// (issue 15, acceptance 6).
/// </summary>
public sealed class AdminCliTests
{
    [Fact]
    public async Task Status_PrintsEveryDestinationWithItsHealthAndState()
    {
        await using var a = await TestBackend.StartAsync("a");
        // b fails its health checks, so the two rows show different health.
        await using var b = await TestBackend.StartAsync("b", async context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = 503;
                return;
            }

            await context.Response.WriteAsync("b");
        });
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b),
            "\"healthCheck\": { \"active\": { \"enabled\": true, \"interval\": \"200ms\", \"path\": \"/health\", \"unhealthyThreshold\": 1 } }", rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);
        await admin.SetAsync("c", "a", "drain");
        await Poll.UntilAsync(async () => (await admin.DestinationAsync("c", "a")).Active == "Healthy" && (await admin.DestinationAsync("c", "b")).Active == "Unhealthy", "a Healthy and b Unhealthy", TimeSpan.FromSeconds(10));

        var (exit, stdout, stderr) = await GatehouseProcess.RunToEndAsync("status", "--admin", proxy.AdminAddress.ToString(), "--token", AdminSession.Token);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("CLUSTER", StringComparison.Ordinal) && l.Contains("ACTIVE HEALTH", StringComparison.Ordinal));
        Assert.Matches(@"(?m)^c\s+a\s+drained\s+Healthy\s+\S+\s+0\s+http://127\.0\.0\.1:" + a.Port, stdout);
        Assert.Matches(@"(?m)^c\s+b\s+active\s+Unhealthy\s", stdout);
        Assert.Matches(@"(?m)^all\s+c\s", stdout);
    }

    [Fact]
    public async Task DestinationCommands_DrainAndEnable_AndJsonGivesTheRawAnswer()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);
        var address = proxy.AdminAddress.Authority;

        var drain = await GatehouseProcess.RunToEndAsync("destination", "drain", "c", "a", "--admin", address, "--token", AdminSession.Token);
        Assert.Equal(0, drain.ExitCode);
        Assert.Equal("c/a: drained (0 in flight)", drain.Stdout.Trim());
        Assert.Equal("drained", (await admin.DestinationAsync("c", "a")).State);

        // The admin address and token from the environment, as a script would set them.
        var environment = new Dictionary<string, string?> { ["GATEHOUSE_ADMIN"] = address, ["GATEHOUSE_ADMIN_TOKEN"] = AdminSession.Token };
        var json = await GatehouseProcess.RunToEndAsync(environment, "destination", "enable", "c", "a", "--json");
        Assert.Equal(0, json.ExitCode);
        using var answer = System.Text.Json.JsonDocument.Parse(json.Stdout);
        Assert.Equal("active", answer.RootElement.GetProperty("destination").GetProperty("state").GetString());
    }

    [Fact]
    public async Task ReloadAndPurge_ReportWhatHappened_AndARefusedReloadListsEveryError()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        string[] admin = ["--admin", proxy.AdminAddress.Authority, "--token", AdminSession.Token];

        var reload = await GatehouseProcess.RunToEndAsync(["reload", .. admin]);
        Assert.Equal(0, reload.ExitCode);
        Assert.Matches(@"^config applied: revision \d+$", reload.Stdout.Trim());

        var purge = await GatehouseProcess.RunToEndAsync(["purge", "--prefix", "http://example.com/images/", .. admin]);
        Assert.Equal(0, purge.ExitCode);
        Assert.Equal("purged 0 entries", purge.Stdout.Trim());

        var both = await GatehouseProcess.RunToEndAsync(["purge", "--tag", "x", "--url", "http://example.com/", .. admin]);
        Assert.Equal(1, both.ExitCode);
        Assert.Equal("gatehouse purge: give exactly one of --url, --prefix or --tag", both.Stderr.Trim());

        await File.WriteAllTextAsync(proxy.ConfigPath, "{ \"listeners\": [] }");
        var refused = await GatehouseProcess.RunToEndAsync(["reload", .. admin]);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("gatehouse reload: config refused, still serving revision", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("listeners", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_AreOneClearLine()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        var address = proxy.AdminAddress.Authority;

        var noToken = await GatehouseProcess.RunToEndAsync("status", "--admin", address);
        Assert.Equal(1, noToken.ExitCode);
        Assert.Equal($"gatehouse status: the admin API at http://{address}/ needs a token (401): pass --token or set GATEHOUSE_ADMIN_TOKEN", noToken.Stderr.Trim());

        var wrongToken = await GatehouseProcess.RunToEndAsync("status", "--admin", address, "--token", "nope");
        Assert.Equal($"gatehouse status: the admin API at http://{address}/ refused the token (401)", wrongToken.Stderr.Trim());

        var unknown = await GatehouseProcess.RunToEndAsync("destination", "drain", "c", "zz", "--admin", address, "--token", AdminSession.Token);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("gatehouse destination drain: no destination 'zz' in cluster 'c'; destinations: a", unknown.Stderr.Trim());

        var unknownCluster = await GatehouseProcess.RunToEndAsync("destination", "enable", "x", "a", "--admin", address, "--token", AdminSession.Token);
        Assert.Equal("gatehouse destination enable: no cluster 'x'; clusters: c", unknownCluster.Stderr.Trim());

        var port = TestBackend.UnusedPort();
        var refused = await GatehouseProcess.RunToEndAsync("reload", "--admin", $"127.0.0.1:{port}");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith($"gatehouse reload: cannot reach the admin API at http://127.0.0.1:{port}/: connection refused", refused.Stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("\n", refused.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuickMode_WithAdmin_ServesTheAdminApiOnLoopbackWithoutAToken_AndRefusesAnotherAddress()
    {
        await using var a = await TestBackend.StartAsync("a");
        var port = TestBackend.UnusedPort();
        var adminPort = TestBackend.UnusedPort();
        await using (var quick = GatehouseProcess.Start("proxy", "--from", $"http://127.0.0.1:{port}", "--to", a.Address.ToString(), "--admin", $"127.0.0.1:{adminPort}"))
        {
            await quick.WaitForLineAsync("listening on");
            var status = await GatehouseProcess.RunToEndAsync("status", "--admin", $"127.0.0.1:{adminPort}");
            Assert.True(status.ExitCode == 0, status.Stderr);
            Assert.Matches(@"(?m)^backends\s+d1\s+active\s", status.Stdout);
        }

        var refused = await GatehouseProcess.RunToEndAsync("proxy", "--from", $"http://127.0.0.1:{port}", "--to", a.Address.ToString(), "--admin", $"0.0.0.0:{adminPort}");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--admin: '0.0.0.0:", refused.Stderr, StringComparison.Ordinal);
    }
}
