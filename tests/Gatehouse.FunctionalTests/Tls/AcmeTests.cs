using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Storage;
using Gatehouse.Acme.Tests.TestSupport;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>
/// A Pebble per test class whose HTTP-01 and TLS-ALPN-01 validations go to the ports Gatehouse's plain and HTTPS
/// listeners will bind (chosen first: Pebble needs them before Gatehouse needs Pebble's directory URL). Every name
/// resolves to 127.0.0.1 through pebble-challtestsrv.
/// </summary>
public class GatehousePebbleFixture : IAsyncLifetime
{
    public GatehousePebbleFixture()
    {
        // Gatehouse binds them again and again (one proxy after another), so they are kept out of the ephemeral range.
        HttpsPort = FreePorts.Tcp();
        HttpPort = FreePorts.Tcp();
    }

    public int HttpsPort { get; }

    public int HttpPort { get; }

    public Pebble Pebble { get; private set; } = null!;

    protected virtual PebbleSettings Settings => new();

    public async ValueTask InitializeAsync() => Pebble = await Pebble.StartAsync(HttpPort, HttpsPort, Settings);

    public async ValueTask DisposeAsync()
    {
        if (Pebble is not null)
        {
            await Pebble.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>Certificates Pebble issues live 12 seconds, so renewal (at two thirds) comes during the test, in real time.</summary>
public sealed class ShortLivedPebbleFixture : GatehousePebbleFixture
{
    protected override PebbleSettings Settings => new() { CertificateValiditySeconds = 12 };
}

/// <summary>A Pebble of its own, so a test may stop it.</summary>
public sealed class StoppablePebbleFixture : GatehousePebbleFixture;

/// <summary>Gatehouse with <c>tls.acme</c> against Pebble: obtains certificates by HTTP-01 and TLS-ALPN-01 and serves them; reuses them after a restart.</summary>
public sealed class AcmeTests(GatehousePebbleFixture fixture) : IClassFixture<GatehousePebbleFixture>, IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await TestBackend.StartAsync("app");

    [Theory]
    [InlineData("http-01", "http01.gatehouse.test")]
    [InlineData("tls-alpn-01", "tlsalpn01.gatehouse.test")]
    public async Task Challenge_ObtainsACertificate_ServedWithAChainToPebblesRoot(string challenge, string host)
    {
        await using var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, challenge);

        var served = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);

        var source = proxy.Services.GetRequiredService<AcmeSource>();
        Assert.Equal(AcmeCertificateSource.Issued, source.Current(host)?.Source);
        using var root = await fixture.Pebble.GetRootAsync();
        var (body, leaf) = await AcmeGatehouse.GetVerifiedAsync(fixture.HttpsPort, host, root);
        Assert.Equal("app", body);
        Assert.Equal(served.Thumbprint, leaf.Thumbprint);
        if (!OperatingSystem.IsWindows())
        {
            AssertPrivate(Assert.IsType<FileAcmeStore>(source.AcmeStore).Directory); // account key and certificate key: 0700 folder, 0600 files
        }
    }

    [Fact]
    public async Task Restart_ServesTheStoredCertificate_WithoutANewOrder()
    {
        const string host = "restart.gatehouse.test";
        var storage = Directory.CreateTempSubdirectory("gatehouse-acme-storage-").FullName;
        try
        {
            X509Certificate2 first;
            await using (var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01", storage))
            {
                first = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);
            }

            await using var restarted = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01", storage);

            // Published while the server started: the first handshake already gets it.
            var (served, _) = await TlsClient.HandshakeAsync(fixture.HttpsPort, host);
            Assert.Equal(first.Thumbprint, served.Thumbprint);
            var source = restarted.Services.GetRequiredService<AcmeSource>();
            Assert.Equal(AcmeCertificateSource.Store, source.Current(host)?.Source);
            var client = await source.Manager!.GetClientAsync(TestContext.Current.CancellationToken);
            Assert.Single(await client.ListOrdersAsync(TestContext.Current.CancellationToken)); // the first run's order only
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Http01_IsAnsweredOnThePlainListener_WhileOtherPlainRequestsAreRedirected()
    {
        const string host = "redirect.gatehouse.test";
        await using var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01");
        await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);

        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{fixture.HttpPort}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/page");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://{host}:{fixture.HttpsPort}/page", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Reload_ChangingTlsAcme_AppliesTheRestButKeepsTheRunningManager()
    {
        const string host = "reload.gatehouse.test";
        await using var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01");
        var served = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);
        var source = proxy.Services.GetRequiredService<AcmeSource>();

        var json = (await File.ReadAllTextAsync(proxy.ConfigPath, TestContext.Current.CancellationToken))
            .Replace($"\"{host}\"", $"\"{host}\", \"added.gatehouse.test\"", StringComparison.Ordinal);
        var outcome = await proxy.ReloadAsync(json);

        Assert.True(outcome.Applied, string.Join("; ", outcome.Errors));
        Assert.Same(source, proxy.Services.GetRequiredService<AcmeSource>());
        Assert.Null(source.Current("added.gatehouse.test")); // start-up only: ordered at the next restart
        var (again, _) = await TlsClient.HandshakeAsync(fixture.HttpsPort, host);
        Assert.Equal(served.Thumbprint, again.Thumbprint);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertPrivate(string directory)
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file) & ~(UnixFileMode.UserExecute));
        }
    }

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();
}

/// <summary>Renewal near expiry, in real time against 12-second certificates: the new certificate is served without a restart.</summary>
public sealed class AcmeRenewalTests(ShortLivedPebbleFixture fixture) : IClassFixture<ShortLivedPebbleFixture>, IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await TestBackend.StartAsync("app");

    [Fact]
    public async Task NearExpiry_RenewsOverHttp01BehindTheRedirect_AndServesTheNewCertificate()
    {
        const string host = "renew.gatehouse.test";
        await using var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01");
        var first = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);

        // The plain listener now redirects this host; the renewal's HTTP-01 request must still be answered.
        var second = await AcmeGatehouse.WaitForServedAsync(proxy, host, c => c.Thumbprint != first.Thumbprint);

        Assert.True(DateTime.UtcNow < first.NotAfter.ToUniversalTime() + TimeSpan.FromSeconds(1), "renewed only after the old certificate expired");
        using var root = await fixture.Pebble.GetRootAsync();
        var (body, leaf) = await AcmeGatehouse.GetVerifiedAsync(fixture.HttpsPort, host, root);
        Assert.Equal("app", body);
        Assert.NotEqual(first.Thumbprint, leaf.Thumbprint);
        Assert.Equal(AcmeCertificateSource.Issued, proxy.Services.GetRequiredService<AcmeSource>().Current(host)?.Source);
    }

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();
}

/// <summary>The CA goes away or refuses: the renewal fails and the valid certificate keeps serving. The ACME clock is a FakeTimeProvider.</summary>
public sealed class AcmeFailureTests(StoppablePebbleFixture fixture) : IClassFixture<StoppablePebbleFixture>, IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await TestBackend.StartAsync("app");

    [Fact]
    public async Task CaDown_RenewalFails_AndTheValidCertificateKeepsServing()
    {
        const string host = "down.gatehouse.test";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "tls-alpn-01",
            configure: builder => builder.Services.AddKeyedSingleton<TimeProvider>(AcmeSource.ClockKey, time));
        var first = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);
        var manager = proxy.Services.GetRequiredService<AcmeSource>().Manager!;
        var failed = new TaskCompletionSource<AcmeRenewalFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.RenewalFailed += f => failed.TrySetResult(f);

        await AcmeGatehouse.WaitForScheduledAsync(proxy, host); // the manager waits on the fake clock now
        fixture.Pebble.StopCa();
        time.SetUtcNow(new DateTimeOffset(first.NotAfter.ToUniversalTime()) - TimeSpan.FromDays(1)); // well past two thirds
        var failure = await failed.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(first.Thumbprint, failure.StillServing?.Certificate.Thumbprint);
        Assert.True(failure.NextAttempt > time.GetUtcNow(), "no back-off after the failure");
        var (served, _) = await TlsClient.HandshakeAsync(fixture.HttpsPort, host);
        Assert.Equal(first.Thumbprint, served.Thumbprint);
        using var client = TlsClient.Create(fixture.HttpsPort, host);
        Assert.Equal("app", await client.GetStringAsync("/", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CaRefusing_RenewalFails_AndTheStoredCertificateKeepsServing()
    {
        const string host = "refused.gatehouse.test";
        var storage = Directory.CreateTempSubdirectory("gatehouse-acme-storage-").FullName;
        try
        {
            X509Certificate2 first;
            await using (var issuing = await Pebble.StartAsync(fixture.HttpPort, fixture.HttpsPort))
            await using (var proxy = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01", storage, pebble: issuing))
            {
                first = await AcmeGatehouse.WaitForServedAsync(proxy, host, _ => true);
            }

            // A CA that rejects every nonce: each request fails with badNonce, also after the client's retries.
            await using var refusing = await Pebble.StartAsync(fixture.HttpPort, fixture.HttpsPort, new PebbleSettings { NonceRejectPercent = 100 });
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var restarted = await AcmeGatehouse.StartAsync(fixture, _backend, host, "http-01", storage,
                builder => builder.Services.AddKeyedSingleton<TimeProvider>(AcmeSource.ClockKey, time), refusing);
            var manager = restarted.Services.GetRequiredService<AcmeSource>().Manager!;
            var failed = new TaskCompletionSource<AcmeRenewalFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
            manager.RenewalFailed += f => failed.TrySetResult(f);

            await AcmeGatehouse.WaitForScheduledAsync(restarted, host); // the manager waits on the fake clock now
            time.SetUtcNow(new DateTimeOffset(first.NotAfter.ToUniversalTime()) - TimeSpan.FromDays(1));
            var failure = await failed.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

            var error = Assert.IsType<AcmeException>(failure.Error);
            Assert.Contains("badNonce", error.Problem?.Type ?? error.Message, StringComparison.Ordinal);
            Assert.Equal(first.Thumbprint, failure.StillServing?.Certificate.Thumbprint);
            var (served, _) = await TlsClient.HandshakeAsync(fixture.HttpsPort, host);
            Assert.Equal(first.Thumbprint, served.Thumbprint);
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();
}

/// <summary>Starting Gatehouse on a fixture's ports with <c>tls.acme</c> aimed at its Pebble, and watching what it serves.</summary>
internal static class AcmeGatehouse
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task<TestProxy> StartAsync(GatehousePebbleFixture fixture, TestBackend backend, string host, string challenge,
        string? storage = null, Action<WebApplicationBuilder>? configure = null, Pebble? pebble = null) => TestProxy.StartAsync($$"""
        {
          "listeners": [
            { "address": "127.0.0.1", "port": {{fixture.HttpsPort}}, "tls": {} },
            { "address": "127.0.0.1", "port": {{fixture.HttpPort}} }
          ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": { "c": { "destinations": { "d": { "address": "{{backend.Address}}" } } } },
          "tls": {
            {{(storage is null ? "" : $"\"storage\": \"{storage}\",")}}
            "acme": {
              "directory": "{{(pebble ?? fixture.Pebble).DirectoryUrl}}",
              "caBundle": "{{(pebble ?? fixture.Pebble).CaBundlePath}}",
              "email": "ops@gatehouse.test",
              "acceptTermsOfService": true,
              "hosts": [ "{{host}}" ],
              "challenges": [ "{{challenge}}" ]
            }
          }
        }
        """, configure);

    /// <summary>
    /// The certificate the store serves for <paramref name="host"/> once <paramref name="accept"/> takes it (awaiting the
    /// store's Changed event), confirmed by a real handshake. A failed ACME attempt in the meantime fails the wait,
    /// unless <paramref name="failuresAllowed"/> (instances sharing a store: one may fail and take another's certificate).
    /// </summary>
    public static async Task<X509Certificate2> WaitForServedAsync(TestProxy proxy, string host, Func<X509Certificate2, bool> accept, bool failuresAllowed = false)
    {
        var store = proxy.Services.GetRequiredService<CertificateStore>();
        var manager = proxy.Services.GetRequiredService<AcmeSource>().Manager!;
        var found = new TaskCompletionSource<X509Certificate2>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(string _)
        {
            if (store.HasCertificateFor(host) && store.Select(host) is { } current && accept(current.Certificate))
            {
                found.TrySetResult(current.Certificate);
            }
        }

        void Failed(AcmeRenewalFailed failure)
        {
            if (!failuresAllowed)
            {
                found.TrySetException(new Xunit.Sdk.XunitException($"ACME failed for {failure.Name}: {failure.Error}"));
            }
        }

        store.Changed += Check;
        manager.RenewalFailed += Failed;
        try
        {
            Check("");
            var certificate = await found.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            var (served, _) = await TlsClient.HandshakeAsync(proxy.Addresses[0].Port, host);
            Assert.Equal(certificate.Thumbprint, served.Thumbprint);
            return certificate;
        }
        finally
        {
            store.Changed -= Check;
            manager.RenewalFailed -= Failed;
        }
    }

    /// <summary>
    /// The manager's plan once it has one (the latest, or the next): from then on it waits on its clock, so moving a fake
    /// clock wakes it. Moving the clock earlier could land while it still computes the plan from the time it read before.
    /// </summary>
    public static async Task<AcmeRenewalScheduled> WaitForScheduledAsync(TestProxy proxy, string name)
    {
        var source = proxy.Services.GetRequiredService<AcmeSource>();
        var scheduled = new TaskCompletionSource<AcmeRenewalScheduled>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnScheduled(AcmeRenewalScheduled e)
        {
            if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                scheduled.TrySetResult(e);
            }
        }

        source.RenewalScheduled += OnScheduled;
        try
        {
            return source.LastScheduled(name) ?? await scheduled.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        }
        finally
        {
            source.RenewalScheduled -= OnScheduled;
        }
    }

    /// <summary>GET / over HTTPS with <paramref name="root"/> as the only trust anchor (chain and name checked by .NET); the body and the leaf.</summary>
    public static async Task<(string Body, X509Certificate2 Leaf)> GetVerifiedAsync(int port, string host, X509Certificate2 root)
    {
        X509Certificate2? leaf = null;
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.CertificateChainPolicy = policy;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            leaf = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return errors == SslPolicyErrors.None;
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://{host}:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        var body = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        return (body, leaf!);
    }
}

/// <summary><c>gatehouse validate</c> reports <c>tls.acme</c> mistakes with their paths, the CA bundle's content included.</summary>
public sealed class AcmeCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-acme-cli-").FullName;

    [Fact]
    public async Task Validate_ReportsAcmeErrorsWithPaths()
    {
        var config = Path.Combine(_directory, "gatehouse.json");
        await File.WriteAllTextAsync(Path.Combine(_directory, "not-pem.txt"), "not a certificate\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(config, """
            {
              "listeners": [ { "address": "127.0.0.1", "port": 8443, "tls": {} } ],
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9000" } } } },
              "tls": {
                "acme": {
                  "hosts": [ "www.example.test", "*.example.test" ],
                  "challenges": [ "dns-01" ],
                  "caBundle": "not-pem.txt"
                }
              }
            }
            """, TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("tls.acme.acceptTermsOfService: must be true", stderr, StringComparison.Ordinal);
        Assert.Contains("tls.acme.hosts[1]: wildcard names need dns-01", stderr, StringComparison.Ordinal);
        Assert.Contains("tls.acme.challenges[0]: 'dns-01' is not one of http-01, tls-alpn-01", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ReportsAnUnreadableCaBundle()
    {
        var config = Path.Combine(_directory, "gatehouse.json");
        await File.WriteAllTextAsync(Path.Combine(_directory, "not-pem.txt"), "not a certificate\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(config, """
            {
              "listeners": [ { "address": "127.0.0.1", "port": 8443, "tls": {} } ],
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9000" } } } },
              "tls": { "acme": { "acceptTermsOfService": true, "hosts": [ "www.example.test" ], "caBundle": "not-pem.txt" } }
            }
            """, TestContext.Current.CancellationToken);

        var (exitCode, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("tls.acme.caBundle: ", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
