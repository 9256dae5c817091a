using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.FunctionalTests.ProxyProtocol;

/// <summary>
/// Debian's HAProxy in the foreground (<c>-db</c>) with a config written for one test, in a temp folder of its own. The
/// test gives the sections after <c>global</c> and <c>defaults</c>; <see cref="Port"/> hands out free loopback ports for
/// its binds, which must be known before it starts.
/// </summary>
internal sealed class Haproxy : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _directory;

    private Haproxy(ChildProcess process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string Output => _process.Output;

    public static int Port() => FreePorts.Tcp();

    /// <summary>Starts HAProxy and waits until every port in <paramref name="binds"/> accepts connections.</summary>
    public static async Task<Haproxy> StartAsync(string sections, params int[] binds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", "haproxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 256
                pidfile {directory}/haproxy.pid
            defaults
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            {sections}
            """ + "\n");
        var haproxy = new Haproxy(new ChildProcess(File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy", ["-db", "-f", config], new Dictionary<string, string>(), directory), directory);
        try
        {
            foreach (var port in binds)
            {
                await FreePorts.WaitForListenerAsync(port, TimeSpan.FromSeconds(20), () => haproxy.Output);
            }
        }
        catch
        {
            haproxy.Dispose();
            throw;
        }

        return haproxy;
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
