using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Hosting;

namespace Gatehouse.FunctionalTests.Exhaustion;

/// <summary>
/// Gatehouse's listeners queue as many finished handshakes as the kernel allows (<c>net.core.somaxconn</c>), not Kestrel's
/// 512, so that a burst of new connections is not dropped to SYN retransmissions. Read back from the kernel with
/// iproute2's <c>ss</c>, whose Send-Q column is a listening socket's backlog.
/// </summary>
public class ListenBacklogTests
{
    [Fact]
    public async Task EveryListener_HasTheKernelsMaximumBacklog()
    {
        await using var backend = await TestBackend.StartAsync("b1");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend)));
        var expected = ListenBacklog.Kernel();
        Assert.True(expected > ListenBacklog.KestrelDefault, $"this machine's somaxconn ({expected}) does not show the difference");

        foreach (var address in proxy.Addresses)
        {
            var (exitCode, stdout, stderr) = await ProcessRunner.RunAsync("ss", ["-ltnH", $"sport = :{address.Port}"]);
            Assert.True(exitCode == 0, stderr);
            var fields = stdout.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(fields.Length >= 3 && fields[0] == "LISTEN", $"ss printed: {stdout}");
            Assert.Equal(expected, int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
