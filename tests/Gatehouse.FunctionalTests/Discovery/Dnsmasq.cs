using System.Diagnostics;
using System.Net;
using DnsClient;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.FunctionalTests.Discovery;

/// <summary>
/// Debian's dnsmasq on a free loopback port, answering only from a hosts file of its own (and any extra records given
/// as options); <see cref="SetHostsAsync"/> rewrites the file and sends SIGHUP, and returns once dnsmasq answers the new
/// addresses. Killed on dispose.
/// </summary>
internal sealed class Dnsmasq : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _hostsFile;

    private readonly string _directory;

    private Dnsmasq(ChildProcess process, string directory, string hostsFile, int port)
    {
        _directory = directory;
        _process = process;
        _hostsFile = hostsFile;
        Port = port;
    }

    public int Port { get; }

    public string Resolver => $"127.0.0.1:{Port}";

    public static async Task<Dnsmasq> StartAsync(string name, IEnumerable<IPAddress> addresses, params string[] extraOptions)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", "dns-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var hostsFile = Path.Combine(directory, "dns-hosts");
        await WriteHostsAsync(hostsFile, name, addresses);
        var port = FreePorts.Udp();
        var process = new ChildProcess("dnsmasq",
        [
            "--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null", "--pid-file=",
            "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces",
            "--no-resolv", "--no-hosts", "--addn-hosts=" + hostsFile, "--local-ttl=0", .. extraOptions,
        ], new Dictionary<string, string>(), directory);
        await process.WaitForLineAsync("started, version", TimeSpan.FromSeconds(10));
        return new Dnsmasq(process, directory, hostsFile, port);
    }

    /// <summary>Gives <paramref name="name"/> these addresses, and waits until dnsmasq answers with exactly them.</summary>
    public async Task SetHostsAsync(string name, IReadOnlyCollection<IPAddress> addresses)
    {
        await WriteHostsAsync(_hostsFile, name, addresses);
        using (var kill = Process.Start("kill", ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        var client = new LookupClient(new LookupClientOptions(IPEndPoint.Parse(Resolver)) { UseCache = false, Timeout = TimeSpan.FromSeconds(1) });
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var answer = (await client.QueryAsync(name, QueryType.A)).Answers.ARecords().Select(r => r.Address).ToHashSet();
            if (answer.SetEquals(addresses))
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"dnsmasq still answers {string.Join(", ", answer)}: {_process.Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>The DNS outage: dnsmasq is gone, its port answers nothing.</summary>
    public void Stop() => _process.Stop();

    public string Output => _process.Output;

    private static Task WriteHostsAsync(string file, string name, IEnumerable<IPAddress> addresses) =>
        File.WriteAllTextAsync(file, string.Concat(addresses.Select(a => $"{a} {name}\n")));

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
