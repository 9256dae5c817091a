using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>Certificate files change under a running Gatehouse: new handshakes get the new certificate, nothing in flight breaks, bad files change nothing.</summary>
public sealed class CertificateReloadTests : IAsyncLifetime
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestBackend _backend = null!;
    private TestProxy _proxy = null!;
    private X509Certificate2 _first = null!;
    private (string Certificate, string Key) _files;

    private int HttpsPort => _proxy.Addresses[0].Port;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("app", async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await _release.Task;
            }

            await context.Response.WriteAsync("done");
        });
        _first = _pki.Issue("first", ["site.test"]);
        _files = _pki.Write(_first, "site");
        _proxy = await TestProxy.StartAsync(TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_files)]));
    }

    [Fact]
    public async Task ChangedFiles_NewHandshakesGetTheNewCertificate_WhileAnInFlightRequestCompletes()
    {
        X509Certificate2? slowConnectionCertificate = null;
        using var slowClient = TlsClient.Create(HttpsPort, "site.test", root: _pki.Ca, seen: c => slowConnectionCertificate = c);
        var slow = slowClient.GetAsync("/slow");
        await _backend.WhenRequestsReach(1).WaitAsync(TimeSpan.FromSeconds(10));

        var second = _pki.Issue("second", ["site.test"]);
        var reloaded = WhenFilesReload(errors => errors.Count == 0 && Current("site.test") == second.Thumbprint);
        _pki.WriteFiles(second, _files.Certificate, _files.Key);
        await reloaded;

        var (fresh, _) = await TlsClient.HandshakeAsync(HttpsPort, "site.test");
        Assert.Equal("CN=second", fresh.Subject);
        Assert.False(slow.IsCompleted);
        _release.SetResult();
        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
        Assert.Equal("CN=first", slowConnectionCertificate!.Subject);
    }

    [Theory]
    [InlineData("certificate", "not a PEM certificate")]
    [InlineData("key", "not a PEM private key")]
    public async Task CorruptFile_KeepsServingTheOldCertificate(string which, string reason)
    {
        var reloaded = WhenFilesReload(errors => errors.Count > 0);
        await File.WriteAllTextAsync(which == "certificate" ? _files.Certificate : _files.Key, "this is not PEM\n");
        var errors = await reloaded;

        Assert.Contains(errors, e => e.Path == $"tls.certificates[0].{which}" && e.Message.StartsWith(reason, StringComparison.Ordinal));
        var (served, _) = await TlsClient.HandshakeAsync(HttpsPort, "site.test");
        Assert.Equal(_first.Thumbprint, served.Thumbprint);
        using var client = TlsClient.Create(HttpsPort, "site.test", root: _pki.Ca);
        Assert.Equal("done", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task KeyOfAnotherCertificate_KeepsServingTheOldCertificate()
    {
        var other = _pki.Issue("other", ["site.test"]);
        var reloaded = WhenFilesReload(errors => errors.Count > 0);
        _pki.WriteFiles(other, Path.Combine(_pki.Directory, "unused.pem"), _files.Key);
        var errors = await reloaded;

        Assert.Contains(errors, e => e.Path == "tls.certificates[0].key");
        var (served, _) = await TlsClient.HandshakeAsync(HttpsPort, "site.test");
        Assert.Equal(_first.Thumbprint, served.Thumbprint);
    }

    [Fact]
    public async Task ConfigReload_NamingABadKeyFile_IsRejectedWithItsPath_AndTheOldConfigServes()
    {
        var bad = Path.Combine(_pki.Directory, "bad.key");
        await File.WriteAllTextAsync(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        var json = TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_files), TlsConfigs.Certificate((_files.Certificate, bad))]);

        var outcome = await _proxy.ReloadAsync(json);

        Assert.False(outcome.Applied);
        Assert.Contains(outcome.Errors, e => e.ToString() == "tls.certificates[1].key: not a PEM private key");
        var (served, _) = await TlsClient.HandshakeAsync(HttpsPort, "site.test");
        Assert.Equal(_first.Thumbprint, served.Thumbprint);
    }

    [Fact]
    public async Task ConfigReload_AddingACertificate_ServesItWithoutRestart()
    {
        var added = _pki.Issue("added", ["added.test"], rsa: true);
        var json = TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_files), TlsConfigs.Certificate(_pki.Write(added, "added"))]);

        var outcome = await _proxy.ReloadAsync(json);

        Assert.True(outcome.Applied, string.Join("; ", outcome.Errors));
        var (served, _) = await TlsClient.HandshakeAsync(HttpsPort, "added.test");
        Assert.Equal("CN=added", served.Subject);
        var (unchanged, _) = await TlsClient.HandshakeAsync(HttpsPort, "site.test");
        Assert.Equal("CN=first", unchanged.Subject);
    }

    private string? Current(string host) => _proxy.Services.GetRequiredService<CertificateStore>().Select(host)?.Certificate.Thumbprint;

    /// <summary>Completes with the errors of the first file reload that satisfies <paramref name="done"/>.</summary>
    private Task<IReadOnlyList<ConfigError>> WhenFilesReload(Func<IReadOnlyList<ConfigError>, bool> done)
    {
        var source = _proxy.Services.GetRequiredService<FileCertificateSource>();
        var outcome = new TaskCompletionSource<IReadOnlyList<ConfigError>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(IReadOnlyList<ConfigError> errors)
        {
            if (done(errors))
            {
                source.Reloaded -= OnReloaded;
                outcome.TrySetResult(errors);
            }
        }

        source.Reloaded += OnReloaded;
        return outcome.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
    }
}
