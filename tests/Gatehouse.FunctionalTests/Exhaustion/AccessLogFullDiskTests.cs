using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Exhaustion;

/// <summary>The access log on a file system that fills up and then has room again (a real tmpfs of 1 MB).</summary>
public sealed class AccessLogFullDiskTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FullDisk_RequestsAreServed_TheFailureIsReportedOnce_AndLinesAfterRoomReturnsAreWhole()
    {
        using var disk = SmallTmpfs.Mount("1m");
        var logPath = Path.Combine(disk.Path, "access.log");
        var logs = new CapturedLogs();
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "format": "json", "path": "{{logPath}}", "flushInterval": "0s" },
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """,
            builder => builder.Logging.AddProvider(logs));
        long lostReported;
        try
        {
            var writer = proxy.Services.GetRequiredService<AccessLogWriter>();
            var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
            var recovered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            writer.WriteFailed += e => failed.TrySetResult(e);
            writer.WriteRecovered += lost => recovered.TrySetResult(lost);

            await GetAllAsync(proxy, "before", 20);
            await WaitForLinesAsync(logPath, 20);

            disk.Fill();
            // Enough lines to use up the slack in the log file's last page and fail on the next: a write is then cut
            // short by the file system (some bytes taken, the rest refused).
            await GetAllAsync(proxy, "during", 100);
            await failed.Task.WaitAsync(Guard);
            await GetAllAsync(proxy, "during-still", 20);

            disk.Free();
            await GetAllAsync(proxy, "after", 20);
            lostReported = await recovered.Task.WaitAsync(Guard);
            Assert.True(lostReported > 0, "lines were lost while the disk was full");
            Assert.Equal(writer.Lost, lostReported);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        // Every line in the file is whole JSON: no fragment of a refused write, nothing glued to one.
        var lines = await File.ReadAllLinesAsync(logPath);
        var uris = lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("uri").GetString()!).ToList();
        Assert.Equal(20, uris.Count(u => u.StartsWith("/before/", StringComparison.Ordinal)));
        Assert.Equal(20, uris.Count(u => u.StartsWith("/after/", StringComparison.Ordinal)));
        Assert.Equal(120 - lostReported, uris.Count(u => u.StartsWith("/during", StringComparison.Ordinal)));

        // One line when writes began to fail, one when they succeeded again with the count: not one per request.
        var warnings = logs.AtLeast(LogLevel.Warning).ToList();
        Assert.Single(warnings, w => w.Contains("Access log: writing failed", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains($"Access log: writing again; {lostReported} lines were lost", StringComparison.Ordinal));
        Assert.Equal(2, warnings.Count(w => w.Contains("Access log", StringComparison.Ordinal)));
    }

    private static async Task GetAllAsync(TestProxy proxy, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await proxy.Client.GetAsync($"/{prefix}/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("b", await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>Waits until the writer has written <paramref name="count"/> lines (it writes in the background).</summary>
    private static async Task WaitForLinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!File.Exists(path) || File.ReadAllLines(path).Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach {count} lines");
            await Task.Delay(20);
        }
    }
}
