using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Cli;

/// <summary>What the gatehouse executable says to a person: at start, on a failure to start, and when it stops.</summary>
public sealed partial class CliMessagesTests
{
    private const int SIGTERM = 15;

    [Fact]
    public async Task PortInUse_IsOneClearLine_WithoutAStackTrace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("proxy", "--from", $"http://127.0.0.1:{port}", "--to", "http://127.0.0.1:9");

        Assert.Equal(1, exit);
        Assert.Equal($"gatehouse: cannot start: Failed to bind to address http://127.0.0.1:{port}: address already in use", stderr.Trim());
    }

    [Fact]
    public async Task Sigterm_SaysDraining_ThenStopped()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var path = await WriteTempAsync(Configs.SingleCluster(Configs.Destinations(backend), rootExtra: ", \"server\": { \"drainTimeout\": \"7s\" }")
            .Replace("\"port\": 0", $"\"port\": {TestBackend.UnusedPort()}", StringComparison.Ordinal));
        await using var gatehouse = GatehouseProcess.Start("run", "--config", path);
        await gatehouse.WaitForLineAsync("listening on");

        gatehouse.Signal(SIGTERM);

        Assert.Contains("requests in flight have up to 7s to finish", await gatehouse.WaitForLineAsync("Gatehouse draining"), StringComparison.Ordinal);
        await gatehouse.WaitForLineAsync("Gatehouse stopped");
        Assert.Equal(0, await gatehouse.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task LogFormatJson_WritesGatehousesOwnLines_AsOneJsonObjectEach()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var path = await WriteTempAsync(Configs.SingleCluster(Configs.Destinations(backend), rootExtra: ", \"log\": { \"format\": \"json\" }")
            .Replace("\"port\": 0", $"\"port\": {TestBackend.UnusedPort()}", StringComparison.Ordinal));
        await using var gatehouse = GatehouseProcess.Start("run", "--config", path);
        using (var banner = System.Text.Json.JsonDocument.Parse(await gatehouse.WaitForLineAsync("listening on")))
        {
            Assert.Equal(1103, banner.RootElement.GetProperty("EventId").GetInt32());
        }

        gatehouse.Signal(SIGTERM);

        using var line = System.Text.Json.JsonDocument.Parse(await gatehouse.WaitForLineAsync("Gatehouse draining"));
        Assert.Equal(1100, line.RootElement.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", line.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("Gatehouse", line.RootElement.GetProperty("Category").GetString());
        Assert.Equal("30s", line.RootElement.GetProperty("State").GetProperty("DrainTimeout").GetString());
        Assert.Equal(0, await gatehouse.WaitForExitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Banner_LabelsTheAdminAddress_ApartFromTheListeners()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var (port, adminPort) = (TestBackend.UnusedPort(), TestBackend.UnusedPort());
        var path = await WriteTempAsync(Configs.SingleCluster(Configs.Destinations(backend), rootExtra: $", \"admin\": {{ \"port\": {adminPort} }}")
            .Replace("\"port\": 0", $"\"port\": {port}", StringComparison.Ordinal));
        await using var gatehouse = GatehouseProcess.Start("run", "--config", path);

        var banner = await gatehouse.WaitForLineAsync("listening on");

        Assert.Matches(Banner(), banner);
        Assert.EndsWith($"listening on http://127.0.0.1:{port}/; admin API on http://127.0.0.1:{adminPort}/", banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuickMode_BadTo_NamesTheValueTyped_NotAnInternalId()
    {
        var (exit, _, stderr) = await GatehouseProcess.RunToEndAsync("proxy", "--to", "localhost:9101");

        Assert.Equal(1, exit);
        Assert.Contains("--to: 'localhost:9101' is not an absolute http(s) URI (such as http://localhost:9101)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("d1", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Gatehouse \d+\.\d+\.\d+\S* listening on http://\S+; admin API on http://\S+$")]
    private static partial Regex Banner();

    private static async Task<string> WriteTempAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"gatehouse-cli-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
