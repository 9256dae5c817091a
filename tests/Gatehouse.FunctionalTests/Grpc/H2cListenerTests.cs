using System.Diagnostics;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>A plain listener with <c>protocols: h2</c> takes HTTP/2 with prior knowledge (h2c), here from Debian's nghttp.</summary>
public sealed class H2cListenerTests
{
    private static CancellationToken Test => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nghttp_PriorKnowledgeH2c_IsServed()
    {
        await using var backend = await TestBackend.StartAsync("b", context => context.Response.WriteAsync($"seen over {context.Request.Protocol}"));
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend))
            .Replace("\"port\": 0 }", "\"port\": 0, \"protocols\": \"h2\" }", StringComparison.Ordinal));

        var (exit, output) = await NghttpAsync(new Uri(proxy.Address, "/hello"));

        Assert.True(exit == 0, output);
        Assert.Contains(":status: 200", output, StringComparison.Ordinal);
        Assert.Contains("seen over HTTP/1.1", output, StringComparison.Ordinal); // the backend is a plain HTTP/1.1 one
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task Nghttp_AgainstAnHttp1Listener_GetsNoAnswer()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend)));

        var (_, output) = await NghttpAsync(new Uri(proxy.Address, "/hello"));

        // nghttp exits 0 even so; it says the peer does not speak HTTP/2, and no response arrives.
        Assert.DoesNotContain(":status:", output, StringComparison.Ordinal);
        Assert.Contains("SETTINGS", output, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    private static async Task<(int Exit, string Output)> NghttpAsync(Uri uri)
    {
        var start = new ProcessStartInfo("nghttp", ["-v", "-t", "10", uri.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Test);
        var stderr = process.StandardError.ReadToEndAsync(Test);
        await process.WaitForExitAsync(Test).WaitAsync(TimeSpan.FromSeconds(20), Test);
        return (process.ExitCode, await stdout + await stderr);
    }
}
