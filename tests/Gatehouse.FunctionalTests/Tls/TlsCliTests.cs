using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>The real executable: the demo over HTTPS, quick mode with the local CA or with given files.</summary>
public sealed class TlsCliTests : IAsyncLifetime
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
    private TestBackend _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await TestBackend.StartAsync("app");

    [Fact]
    public async Task Demo_ServesHttps_WithACertificateFromTheLocalCa_WhoseRootItPrints()
    {
        var httpsPort = TestBackend.UnusedPort();
        await using var gatehouse = GatehouseProcess.Start("demo", "--port", TestBackend.UnusedPort().ToString(CultureInfo.InvariantCulture),
            "--https-port", httpsPort.ToString(CultureInfo.InvariantCulture), "--admin-port", TestBackend.UnusedPort().ToString(CultureInfo.InvariantCulture), "--storage", _storage);
        var line = await gatehouse.WaitForLineAsync("its root, to trust, is");
        var rootPath = line[(line.IndexOf(" is ", StringComparison.Ordinal) + 4)..].Trim();

        Assert.Equal(Path.Combine(_storage, "internal", "root.pem"), rootPath);
        using var root = X509CertificateLoader.LoadCertificateFromFile(rootPath);
        using var client = TlsClient.Create(httpsPort, "localhost", root: root);
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("backend-", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Proxy_HttpsFrom_UsesTheLocalCa_StoredWithPrivatePermissions()
    {
        var port = TestBackend.UnusedPort();
        await using var gatehouse = GatehouseProcess.Start("proxy", "--from", $"https://localhost:{port}", "--to", _backend.Address.ToString(), "--storage", _storage);
        await gatehouse.WaitForLineAsync("trust its root");

        using var root = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_storage, "internal", "root.pem"));
        using var client = TlsClient.Create(port, "localhost", root: root);
        Assert.Equal("app", await client.GetStringAsync("/"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_storage, "internal")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_storage, "internal", "root.key")));
        }
    }

    [Fact]
    public async Task Proxy_HttpsFrom_WithCertificateFiles_ServesThem()
    {
        using var pki = TestPki.Create(_storage);
        using var certificate = pki.Issue("given", ["localhost"], rsa: true);
        var files = pki.Write(certificate, "given");
        var port = TestBackend.UnusedPort();
        await using var gatehouse = GatehouseProcess.Start("proxy", "--from", $"https://127.0.0.1:{port}", "--to", _backend.Address.ToString(),
            "--tls-cert", files.Certificate, "--tls-key", files.Key);
        await gatehouse.WaitForLineAsync("listening on");

        var (served, _) = await TlsClient.HandshakeAsync(port, "localhost");
        Assert.Equal(certificate.Thumbprint, served.Thumbprint);
        using var client = TlsClient.Create(port, "localhost", root: pki.Ca);
        Assert.Equal("app", await client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Validate_ReportsABadCertificateFileWithItsPath()
    {
        using var pki = TestPki.Create(_storage);
        var files = pki.Write(pki.Issue("site", ["site.test"]), "site");
        var bad = Path.Combine(_storage, "bad.key");
        await File.WriteAllTextAsync(bad, "not a key\n");
        var config = Path.Combine(_storage, "gatehouse.json");
        await File.WriteAllTextAsync(config, TlsConfigs.Https(_backend, [TlsConfigs.Certificate(files), TlsConfigs.Certificate((files.Certificate, "bad.key"))]));

        var (exitCode, _, stderr) = await GatehouseProcess.RunToEndAsync("validate", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("tls.certificates[1].key: not a PEM private key", stderr, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.DisposeAsync();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
