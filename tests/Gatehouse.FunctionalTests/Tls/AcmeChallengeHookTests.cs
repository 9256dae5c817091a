using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>The hooks an ACME client plugs into: TLS-ALPN-01 (RFC 8737) certificates by ALPN, HTTP-01 answers before the redirect.</summary>
public sealed class AcmeChallengeHookTests : IAsyncLifetime
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly TestPki _acmePki = TestPki.Create(name: "Challenge");
    private TestBackend _backend = null!;
    private TestProxy _proxy = null!;
    private X509Certificate2 _challenge = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync("app");
        _challenge = _acmePki.Issue("challenge", ["site.test"]);
        var context = SslStreamCertificateContext.Create(_challenge, null, offline: true);
        _proxy = await TestProxy.StartAsync(
            TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_pki.Write(_pki.Issue("site", ["site.test"]), "site"))]),
            builder =>
            {
                // "late.test" and the "tok-late"/"tok-gone" tokens answer asynchronously, as a cluster's look-up in Redis does.
                builder.Services.AddSingleton<TlsAlpnChallengeCertificates>(host => host switch
                {
                    "site.test" => ValueTask.FromResult<SslStreamCertificateContext?>(context),
                    "late.test" => Later<SslStreamCertificateContext>(context),
                    _ => ValueTask.FromResult<SslStreamCertificateContext?>(null),
                });
                builder.Services.AddSingleton<HttpChallengeResponses>(token => token switch
                {
                    "tok-1" => ValueTask.FromResult<string?>("tok-1.thumbprint"),
                    "tok-late" => Later("tok-late.thumbprint"),
                    "tok-gone" => Later<string>(null),
                    _ => ValueTask.FromResult<string?>(null),
                });
            });
    }

    [Fact]
    public async Task TlsAlpn01_ClientOfferingAcmeTls1_GetsTheChallengeCertificateAndProtocol()
    {
        var (certificate, alpn) = await TlsClient.HandshakeAsync(_proxy.Addresses[0].Port, "site.test", AcmeChallenges.TlsAlpnProtocol);

        Assert.Equal(_challenge.Thumbprint, certificate.Thumbprint);
        Assert.Equal(AcmeChallenges.TlsAlpnProtocol, alpn);
    }

    [Fact]
    public async Task TlsAlpn01_ALookUpThatCompletesLater_StillAnswersTheHandshake()
    {
        var (certificate, alpn) = await TlsClient.HandshakeAsync(_proxy.Addresses[0].Port, "late.test", AcmeChallenges.TlsAlpnProtocol);

        Assert.Equal(_challenge.Thumbprint, certificate.Thumbprint);
        Assert.Equal(AcmeChallenges.TlsAlpnProtocol, alpn);
    }

    [Fact]
    public Task Http01_ALookUpThatCompletesLater_AnswersOrFallsThroughToTheRedirect() =>
        AssertAnsweredAndRedirectedAsync(answered: "tok-late", redirected: "tok-gone");

    [Fact]
    public async Task TlsAlpn01_OrdinaryClients_GetTheRealCertificate()
    {
        var (certificate, alpn) = await TlsClient.HandshakeAsync(_proxy.Addresses[0].Port, "site.test", SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);

        Assert.Equal("CN=site", certificate.Subject);
        Assert.Equal(SslApplicationProtocol.Http2, alpn);
    }

    [Fact]
    public Task Http01_KnownToken_IsAnsweredBeforeTheRedirect_UnknownTokenIsRedirected() =>
        AssertAnsweredAndRedirectedAsync(answered: "tok-1", redirected: "tok-2");

    /// <summary>Plain HTTP to site.test (which has a certificate, so plain requests redirect): the challenge token
    /// <paramref name="answered"/> gets its key authorization, <paramref name="redirected"/> the redirect, and the
    /// backend neither.</summary>
    private async Task AssertAnsweredAndRedirectedAsync(string answered, string redirected)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _proxy.Addresses[1] };
        using var known = new HttpRequestMessage(HttpMethod.Get, "/.well-known/acme-challenge/" + answered);
        known.Headers.Host = "site.test";
        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/.well-known/acme-challenge/" + redirected);
        unknown.Headers.Host = "site.test";

        using var answer = await client.SendAsync(known);
        using var redirect = await client.SendAsync(unknown);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(answered + ".thumbprint", await answer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal(0, _backend.Requests);
    }

    private static async ValueTask<T?> Later<T>(T? value) where T : class
    {
        await Task.Yield();
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
        _acmePki.Dispose();
    }
}
