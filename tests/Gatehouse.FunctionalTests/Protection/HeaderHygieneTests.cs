using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Header names a CGI-style backend reads as others (<c>X_Forwarded_For</c>), and an untrusted client's claims of its own
/// address (<c>X-Real-IP</c>…), never reach a real echo backend: over HTTP/1.1 and HTTP/2, in any case spelling, across
/// reloads, and as a refusal when so configured.
/// </summary>
public sealed class HeaderHygieneTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    public static TheoryData<string> Versions => new("1.1", "2.0");

    private static HttpRequestMessage Spoofing(Uri target, string version)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(target, "/x"))
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("X_Forwarded_For", "6.6.6.6");
        request.Headers.TryAddWithoutValidation("x_forwarded_proto", "https");
        request.Headers.TryAddWithoutValidation("Transfer_Encoding", "chunked");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "6.6.6.7");
        request.Headers.TryAddWithoutValidation("x-real-ip", "6.6.6.8");
        request.Headers.TryAddWithoutValidation("TRUE-CLIENT-IP", "6.6.6.9");
        request.Headers.TryAddWithoutValidation("CF-Connecting-IP", "6.6.6.10");
        request.Headers.TryAddWithoutValidation("Fastly-Client-IP", "6.6.6.11");
        request.Headers.TryAddWithoutValidation("X-Client-IP", "6.6.6.12");
        request.Headers.TryAddWithoutValidation("X-Cluster-Client-IP", "6.6.6.13");
        request.Headers.TryAddWithoutValidation("X-App-Token", "kept");
        return request;
    }

    private HttpClient ClientOf(TestProxy proxy) => proxy.Address.Scheme == "https"
        ? new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) } }) { Timeout = TimeSpan.FromSeconds(30) }
        : new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ByDefault_UnderscoreNamesAndClientAddressClaims_AreDropped_OtherHeadersPass(string version)
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(_pki.WithTls(Config(echo)));
        using var client = ClientOf(proxy);

        using var request = Spoofing(proxy.Address, version);
        using var response = await client.SendAsync(request);
        var headers = await EchoedAsync(response);

        Assert.Equal(Version.Parse(version), response.Version);
        Assert.DoesNotContain(headers.Keys, name => name.Contains('_', StringComparison.Ordinal));
        Assert.DoesNotContain(headers.Values, value => value.Contains("6.6.6.", StringComparison.Ordinal));
        foreach (var name in new[] { "x-real-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-client-ip", "x-cluster-client-ip", "transfer-encoding" })
        {
            Assert.False(headers.ContainsKey(name), name);
        }

        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("https", headers["x-forwarded-proto"]);
        Assert.Equal("kept", headers["x-app-token"]);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Reject_AnswersBadRequest_AndTheBackendSeesNothing_AfterAReloadToo(string version)
    {
        var requests = 0;
        await using var echo = await TestBackend.StartAsync("echo", context =>
        {
            Interlocked.Increment(ref requests);
            return EchoHeaders(context);
        });
        var config = Config(echo);
        await using var proxy = await TestProxy.StartAsync(_pki.WithTls(config));
        using var client = ClientOf(proxy);

        var reloaded = await proxy.ReloadAsync(_pki.WithTls(Config(echo, rootExtra: """, "http": { "underscoresInHeaders": "reject" }""")));
        Assert.True(reloaded.Applied, string.Join("; ", reloaded.Errors));

        using var refused = await client.SendAsync(Spoofing(proxy.Address, version));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, Volatile.Read(ref requests));

        // Without an underscore name the same request passes, its address claims still removed.
        using var plain = Spoofing(proxy.Address, version);
        foreach (var name in new[] { "X_Forwarded_For", "x_forwarded_proto", "Transfer_Encoding" })
        {
            plain.Headers.Remove(name);
        }

        var headers = await EchoedAsync(await client.SendAsync(plain));
        Assert.False(headers.ContainsKey("x-real-ip"));
        Assert.Equal(1, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task TrustedProxy_ClientAddressClaimsPass_AndPassModeKeepsUnderscoreNames()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, rootExtra: """
            , "trustedProxies": ["127.0.0.0/8"], "http": { "underscoresInHeaders": "pass" }, "clientIpHeaders": ["X-Real-IP"]
            """));

        using var request = Spoofing(proxy.Address, "1.1");
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("6.6.6.7, 6.6.6.8", headers["x-real-ip"]);
        Assert.Equal("6.6.6.10", headers["cf-connecting-ip"]);
        Assert.Equal("6.6.6.6", headers["x_forwarded_for"]);
    }

    [Fact]
    public async Task UntrustedPeer_ConfiguredListIsWhatIsRemoved()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, rootExtra: """, "trustedProxies": ["10.0.0.0/8"], "clientIpHeaders": ["X-Real-IP", "X-Original-Client"]"""));

        using var request = Spoofing(proxy.Address, "1.1");
        request.Headers.TryAddWithoutValidation("X-Original-Client", "6.6.6.14");
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.False(headers.ContainsKey("x-real-ip"));
        Assert.False(headers.ContainsKey("x-original-client"));
        Assert.Equal("6.6.6.10", headers["cf-connecting-ip"]);
    }

    public void Dispose() => _pki.Dispose();
}
