using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>Client certificates at the edge: required or allowed, checked against the CA bundle, described to the backend in headers no client can forge.</summary>
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly TestPki _serverPki = TestPki.Create();
    private readonly TestPki _clientPki = TestPki.Create(name: "Partner CA");
    private readonly TestPki _strangerPki = TestPki.Create(name: "Stranger CA");
    private TestBackend _backend = null!;
    private TestProxy? _proxy;

    public async ValueTask InitializeAsync() =>
        _backend = await TestBackend.StartAsync("app", context => context.Response.WriteAsync(
            $"subject={context.Request.Headers["X-Client-Cert-Subject"]};fingerprint={context.Request.Headers["X-Client-Cert-Fingerprint"]};" +
            $"who={context.Request.Headers["X-Who"]}"));

    private async Task<int> StartAsync(string mode)
    {
        var server = _serverPki.Issue("edge", ["edge.test"]);
        _proxy = await TestProxy.StartAsync(TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_serverPki.Write(server, "edge"))],
            listenerTls: $$"""{ "clientCertificate": { "mode": "{{mode}}", "caBundle": "{{_clientPki.CaPath}}" } }"""));
        return _proxy.Addresses[0].Port;
    }

    [Fact]
    public async Task Require_ValidCertificate_SubjectAndFingerprintReachTheBackend_ForgedValuesDoNot()
    {
        var port = await StartAsync("require");
        using var certificate = _clientPki.Issue("partner-7", [], client: true);
        using var client = TlsClient.Create(port, "edge.test", root: _serverPki.Ca, clientCertificate: certificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Client-Cert-Subject", "CN=admin");
        request.Headers.Add("X-Client-Cert-Fingerprint", "00");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"subject=CN=partner-7;fingerprint={Convert.ToHexStringLower(SHA256.HashData(certificate.RawData))};who=", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Require_NoCertificate_FailsTheHandshake()
    {
        var port = await StartAsync("require");
        using var client = TlsClient.Create(port, "edge.test", root: _serverPki.Ca);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("/"));
        Assert.Equal(0, _backend.Requests);
    }

    [Fact]
    public async Task Require_CertificateFromAnotherCa_FailsTheHandshake()
    {
        var port = await StartAsync("require");
        using var stranger = _strangerPki.Issue("intruder", [], client: true);
        using var client = TlsClient.Create(port, "edge.test", root: _serverPki.Ca, clientCertificate: stranger);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("/"));
        Assert.Equal(0, _backend.Requests);
    }

    [Fact]
    public async Task Allow_NoCertificate_IsServed_AndForgedHeadersAreRemoved()
    {
        var port = await StartAsync("allow");
        using var client = TlsClient.Create(port, "edge.test", root: _serverPki.Ca);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Client-Cert-Subject", "CN=admin");
        request.Headers.Add("X-Client-Cert-Fingerprint", "00");
        request.Headers.Add("X-Who", "kept");

        using var response = await client.SendAsync(request);

        Assert.Equal("subject=;fingerprint=;who=kept", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainListener_ForgedHeadersAreRemovedToo()
    {
        await StartAsync("allow");
        using var client = new HttpClient { BaseAddress = _proxy!.Addresses[1] };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Client-Cert-Subject", "CN=admin");

        using var response = await client.SendAsync(request);

        Assert.Equal("subject=;fingerprint=;who=", await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await _backend.DisposeAsync();
        _serverPki.Dispose();
        _clientPki.Dispose();
        _strangerPki.Dispose();
    }
}
