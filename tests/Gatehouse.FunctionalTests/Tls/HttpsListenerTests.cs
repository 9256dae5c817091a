using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>Real handshakes against an HTTPS listener: SNI, protocol versions and cipher suites (with the openssl binary), ALPN, HSTS, redirect.</summary>
public sealed class HttpsListenerTests : IAsyncLifetime
{
    private const string OpenSsl = "/usr/bin/openssl";

    private readonly TestPki _pki = TestPki.Create();
    private TestBackend _backend = null!;
    private TestProxy _proxy = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _alpha = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _beta = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _wild = null!;

    private int HttpsPort => _proxy.Addresses[0].Port;

    private int HttpPort => _proxy.Addresses[1].Port;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("app", context => context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}"));
        _alpha = _pki.Issue("alpha", ["alpha.test"], rsa: true);
        _beta = _pki.Issue("beta", ["beta.test"]);
        _wild = _pki.Issue("wild", ["*.wild.test"]);
        _proxy = await TestProxy.StartAsync(TlsConfigs.Https(_backend,
        [
            TlsConfigs.Certificate(_pki.Write(_alpha, "alpha")),
            TlsConfigs.Certificate(_pki.Write(_beta, "beta"), isDefault: true),
            TlsConfigs.Certificate(_pki.Write(_wild, "wild")),
        ]));
    }

    [Theory]
    [InlineData("alpha.test", "alpha")]
    [InlineData("ALPHA.test", "alpha")]
    [InlineData("beta.test", "beta")]
    [InlineData("a.wild.test", "wild")]
    [InlineData("b.wild.test", "wild")]
    [InlineData("wild.test", "beta")] // a wildcard covers one label, not the bare domain
    [InlineData("x.y.wild.test", "beta")] // nor two labels
    [InlineData("unknown.test", "beta")]
    [InlineData("127.0.0.1", "beta")] // an IP address: no SNI at all
    public async Task Sni_ChoosesTheCertificateNamingTheHost_ElseTheDefault(string serverName, string expected)
    {
        var (certificate, _) = await TlsClient.HandshakeAsync(HttpsPort, serverName);

        Assert.Equal($"CN={expected}", certificate.Subject);
    }

    [Fact]
    public async Task Alpn_NegotiatesHttp2_AndHttpClientSpeaksIt()
    {
        var (_, alpn) = await TlsClient.HandshakeAsync(HttpsPort, "alpha.test", SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);
        Assert.Equal(SslApplicationProtocol.Http2, alpn);

        using var client = TlsClient.Create(HttpsPort, "alpha.test", root: _pki.Ca);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/h2") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("GET /h2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Alpn_OffersHttp11ToClientsWithoutH2()
    {
        var (_, alpn) = await TlsClient.HandshakeAsync(HttpsPort, "alpha.test", SslApplicationProtocol.Http11);

        Assert.Equal(SslApplicationProtocol.Http11, alpn);
    }

    [Fact]
    public async Task Hsts_OnHttpsAnswers_NotOnPlainHttp()
    {
        using var https = TlsClient.Create(HttpsPort, "beta.test", root: _pki.Ca);
        using var secure = await https.GetAsync("/page");
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/") };
        using var insecure = await plain.GetAsync("/page"); // 127.0.0.1 has no certificate of its own: proxied, not redirected

        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
        Assert.Equal(HttpStatusCode.OK, insecure.StatusCode);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("GET", 301)]
    [InlineData("HEAD", 301)]
    [InlineData("POST", 308)]
    [InlineData("DELETE", 308)]
    public async Task PlainHttp_ForAHostWithACertificate_RedirectsToTheHttpsListener(string method, int status)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/") };
        using var request = new HttpRequestMessage(new HttpMethod(method), "/shop/cart?item=1&x=%20y");
        request.Headers.Host = $"a.wild.test:{HttpPort}";
        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($"https://a.wild.test:{HttpsPort}/shop/cart?item=1&x=%20y", response.Headers.Location!.OriginalString);
        Assert.Equal(0, _backend.Requests);
    }

    [Fact]
    public async Task PlainHttp_ForAHostWithoutACertificate_IsProxied()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.Host = "wild.test";
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("GET /x", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")]
    [InlineData("-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305")]
    public async Task OpenSsl_ModernProtocolsAndAeadSuites_Succeed(params string[] arguments)
    {
        var (exitCode, output) = await SClientAsync("alpha.test", arguments);

        Assert.True(exitCode == 0, output);
        Assert.Contains(arguments[0] == "-tls1_3" ? "TLSv1.3" : "TLSv1.2", output, StringComparison.Ordinal);
        Assert.Contains("CN = alpha", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")]
    [InlineData("-tls1", "-cipher", "DEFAULT@SECLEVEL=0")]
    [InlineData("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256")] // CBC
    [InlineData("-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA")] // CBC
    [InlineData("-tls1_2", "-cipher", "AES128-GCM-SHA256")] // RSA key exchange: no forward secrecy
    public async Task OpenSsl_OldProtocolsAndWeakSuites_AreRefused(params string[] arguments)
    {
        var (exitCode, output) = await SClientAsync("alpha.test", arguments);

        Assert.True(exitCode != 0, output);
        Assert.DoesNotContain("CN = alpha", output, StringComparison.Ordinal);
        // Refused by the server (an alert), not given up by the client before it sent anything.
        Assert.DoesNotContain("no protocols available", output, StringComparison.Ordinal);
        Assert.DoesNotContain("no cipher match", output, StringComparison.Ordinal);
        Assert.Contains("alert", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output)> SClientAsync(string serverName, string[] arguments)
    {
        var start = new ProcessStartInfo(OpenSsl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{HttpsPort}", "-servername", serverName }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
    }
}
