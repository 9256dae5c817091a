using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>badNonce handling (RFC 8555 §6.5) against a Pebble that rejects every nonce.</summary>
public sealed class NonceTests(PebbleFixture fixture) : IClassFixture<PebbleFixture>
{
    [Fact]
    public async Task BadNonce_IsRetriedWithTheFreshNonce_ThenReportedAsTypedProblem()
    {
        await using var pebble = await TestSupport.Pebble.StartAsync(fixture.Server.HttpPort, fixture.Server.TlsPort, new PebbleSettings { NonceRejectPercent = 100 });
        var counter = new CountingHandler(AcmeHttp.CreateHandler(pebble.CaBundlePath));
        using var http = new HttpClient(counter);
        using var key = AccountKey.Generate();
        var client = new AcmeClient(http, pebble.DirectoryUrl, key) { BadNonceRetries = 3 };

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.NewAccountAsync(new AcmeAccountRequest(true), TestContext.Current.CancellationToken));

        Assert.Equal(AcmeProblemTypes.BadNonce, error.Problem?.Type);
        Assert.Equal(4, counter.Posts); // the first attempt and three retries
        Assert.Equal(1, counter.Heads); // the retries used the nonces the errors carried, not newNonce
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Posts;
        public int Heads;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                Interlocked.Increment(ref Posts);
            }
            else if (request.Method == HttpMethod.Head)
            {
                Interlocked.Increment(ref Heads);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
