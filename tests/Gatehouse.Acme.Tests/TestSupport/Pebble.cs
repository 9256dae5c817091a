using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>How a Pebble instance is configured for a test.</summary>
public sealed record PebbleSettings
{
    /// <summary>Percentage of good nonces Pebble rejects as bad (its default is 5; a little keeps badNonce retry exercised).</summary>
    public int NonceRejectPercent { get; init; } = 10;

    public IReadOnlyDictionary<string, string>? ExternalAccountMacKeys { get; init; }

    /// <summary>Alternate root chains Pebble links to from each certificate (PEBBLE_ALTERNATE_ROOTS).</summary>
    public int AlternateRoots { get; init; }

    /// <summary>Certificate lifetime in seconds (0 = Pebble's default).</summary>
    public long CertificateValiditySeconds { get; init; }
}

/// <summary>
/// A Pebble ACME test CA on loopback (the Debian package's /usr/bin/pebble), validating against the given HTTP and TLS
/// ports and resolving every name to 127.0.0.1 through pebble-challtestsrv's mock DNS.
/// </summary>
public sealed class Pebble : IAsyncDisposable
{
    public const string PebbleBinary = "/usr/bin/pebble";
    public const string ChallengeTestServerBinary = "/usr/bin/pebble-challtestsrv";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory;
    private ChildProcess? _pebble;
    private ChildProcess? _dns;

    private Pebble(string directory) => _directory = directory;

    public Uri DirectoryUrl { get; private set; } = null!;

    public int ManagementPort { get; private set; }

    /// <summary>The PEM file of the CA that signed Pebble's own HTTPS certificate (for <see cref="AcmeOptions.TrustedCaBundlePath"/>).</summary>
    public string CaBundlePath { get; private set; } = null!;

    public string Output => (_pebble?.Output ?? "") + (_dns?.Output ?? "");

    public static async Task<Pebble> StartAsync(int httpPort, int tlsPort, PebbleSettings? settings = null)
    {
        settings ??= new PebbleSettings();
        // The free ports are found by binding and releasing them, so another process may take one before Pebble
        // binds it: then Pebble exits at once, and a second start with new ports succeeds.
        for (var attempt = 1; ; attempt++)
        {
            var pebble = new Pebble(Directory.CreateTempSubdirectory("gatehouse-pebble-").FullName);
            try
            {
                await pebble.StartProcessesAsync(httpPort, tlsPort, settings);
                return pebble;
            }
            catch (Exception) when (attempt < 3 && pebble.Exited)
            {
                await pebble.DisposeAsync();
            }
            catch
            {
                await pebble.DisposeAsync();
                throw;
            }
        }
    }

    private bool Exited => (_pebble?.HasExited ?? false) || (_dns?.HasExited ?? false);

    private async Task StartProcessesAsync(int httpPort, int tlsPort, PebbleSettings settings)
    {
        var (caPem, certificatePem, keyPem) = TestCertificates.CreateServerCertificate();
        CaBundlePath = Path.Combine(_directory, "ca.pem");
        await File.WriteAllTextAsync(CaBundlePath, caPem);
        await File.WriteAllTextAsync(Path.Combine(_directory, "cert.pem"), certificatePem);
        await File.WriteAllTextAsync(Path.Combine(_directory, "key.pem"), keyPem);

        var dnsPort = FreePorts.Udp();
        var dnsManagementPort = FreePorts.Tcp();
        _dns = new ChildProcess(ChallengeTestServerBinary,
            ["-dns01", $"127.0.0.1:{dnsPort}", "-management", $"127.0.0.1:{dnsManagementPort}",
             "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""],
            new Dictionary<string, string>(), _directory);
        await FreePorts.WaitForListenerAsync(dnsManagementPort, StartTimeout, () => _dns.Output);

        var listenPort = FreePorts.Tcp();
        ManagementPort = FreePorts.Tcp();
        var config = new JsonObject
        {
            ["listenAddress"] = $"127.0.0.1:{listenPort}",
            ["managementListenAddress"] = $"127.0.0.1:{ManagementPort}",
            ["certificate"] = "cert.pem",
            ["privateKey"] = "key.pem",
            ["httpPort"] = httpPort,
            ["tlsPort"] = tlsPort,
            ["ocspResponderURL"] = "",
            ["externalAccountBindingRequired"] = settings.ExternalAccountMacKeys is not null,
        };
        if (settings.ExternalAccountMacKeys is not null)
        {
            config["externalAccountMACKeys"] = JsonSerializer.SerializeToNode(settings.ExternalAccountMacKeys);
        }

        if (settings.CertificateValiditySeconds > 0)
        {
            config["certificateValidityPeriod"] = settings.CertificateValiditySeconds;
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "pebble.json"), new JsonObject { ["pebble"] = config }.ToJsonString());
        _pebble = new ChildProcess(PebbleBinary, ["-config", "pebble.json", "-dnsserver", $"127.0.0.1:{dnsPort}"],
            new Dictionary<string, string>
            {
                ["PEBBLE_VA_NOSLEEP"] = "1",
                ["PEBBLE_VA_ALWAYS_VALID"] = "0",
                ["PEBBLE_AUTHZREUSE"] = "0",
                ["PEBBLE_ALTERNATE_ROOTS"] = settings.AlternateRoots.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["PEBBLE_WFE_NONCEREJECT"] = settings.NonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            _directory);
        await _pebble.WaitForLineAsync("ACME directory available at", StartTimeout);
        await FreePorts.WaitForListenerAsync(listenPort, StartTimeout, () => Output);
        await FreePorts.WaitForListenerAsync(ManagementPort, StartTimeout, () => Output);
        DirectoryUrl = new Uri($"https://127.0.0.1:{listenPort}/dir");
    }

    /// <summary>Pebble's root for issued certificates (regenerated at every start), from its management interface.</summary>
    public async Task<X509Certificate2> GetRootAsync()
    {
        using var http = AcmeHttp.CreateClient(CaBundlePath);
        var pem = await http.GetStringAsync(new Uri($"https://127.0.0.1:{ManagementPort}/roots/0"));
        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>Stops Pebble (the CA becomes unreachable); the mock DNS stays.</summary>
    public void StopCa() => _pebble?.Stop();

    public ValueTask DisposeAsync()
    {
        _pebble?.Dispose();
        _dns?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }

        return ValueTask.CompletedTask;
    }
}
