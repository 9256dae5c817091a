using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>The client API step by step against Pebble, as a caller without the manager would use it.</summary>
public sealed class ClientFlowTests(PebbleFixture fixture) : IClassFixture<PebbleFixture>
{
    [Fact]
    public async Task Rfc8555_7_4_OrderAuthorizeFinalizeDownload_WithAlternateChains()
    {
        await using var pebble = await TestSupport.Pebble.StartAsync(fixture.Server.HttpPort, fixture.Server.TlsPort, new PebbleSettings { AlternateRoots = 1 });
        using var http = AcmeHttp.CreateClient(pebble.CaBundlePath);
        using var accountKey = AccountKey.Generate();
        var client = new AcmeClient(http, pebble.DirectoryUrl, accountKey);
        var ct = TestContext.Current.CancellationToken;
        await client.NewAccountAsync(new AcmeAccountRequest(true, ["mailto:admin@gatehouse.test"]), ct);

        var order = await client.NewOrderAsync(["flow.gatehouse.test"], cancellationToken: ct);
        Assert.Equal(AcmeStatus.Pending, order.Status);
        var authorization = await client.GetAuthorizationAsync(Assert.Single(order.Authorizations), ct);
        Assert.Equal(new AcmeIdentifier("dns", "flow.gatehouse.test"), authorization.Identifier);
        var challenge = authorization.Challenges.Single(c => c.Type == AcmeChallengeTypes.Http01);
        await fixture.Server.Responses.AddHttp01Async(challenge.Token!, accountKey.KeyAuthorization(challenge.Token!));
        await client.AnswerChallengeAsync(challenge.Url, ct);
        authorization = await client.WaitForAuthorizationAsync(authorization.Url, TimeSpan.FromSeconds(30), ct);
        await fixture.Server.Responses.RemoveHttp01Async(challenge.Token!);
        Assert.Equal(AcmeStatus.Valid, authorization.Status);

        order = await client.WaitForOrderAsync(order.Url, [AcmeStatus.Ready], TimeSpan.FromSeconds(30), ct);
        using var key = CertificateSigningRequest.CreateKey(CertificateKeyType.Rsa2048);
        order = await client.FinalizeAsync(order, CertificateSigningRequest.Create(["flow.gatehouse.test"], key), ct);
        order = await client.WaitForOrderAsync(order.Url, [AcmeStatus.Valid], TimeSpan.FromSeconds(30), ct);
        var chain = await client.DownloadCertificateAsync(order.Certificate!, includeAlternates: true, ct);

        var leaves = new X509Certificate2Collection();
        leaves.ImportFromPem(chain.Pem);
        Assert.True(leaves.Count >= 2, "the chain holds the leaf and its intermediate");
        Assert.Equal("1.2.840.113549.1.1.1", leaves[0].PublicKey.Oid.Value); // RSA, as asked
        var alternate = Assert.Single(chain.AlternatePems);
        var alternates = new X509Certificate2Collection();
        alternates.ImportFromPem(alternate);
        Assert.Equal(leaves[0].Thumbprint, alternates[0].Thumbprint); // same leaf, other issuer chain
        Assert.NotEqual(leaves[1].Thumbprint, alternates[1].Thumbprint);
    }

    [Fact]
    public async Task InvalidOrder_ReportsTheChallengeProblem()
    {
        using var http = AcmeHttp.CreateClient(fixture.Pebble.CaBundlePath);
        using var accountKey = AccountKey.Generate();
        var client = new AcmeClient(http, fixture.Pebble.DirectoryUrl, accountKey);
        var ct = TestContext.Current.CancellationToken;
        await client.NewAccountAsync(new AcmeAccountRequest(true), ct);
        var order = await client.NewOrderAsync(["unanswered-flow.gatehouse.test"], cancellationToken: ct);
        var authorization = await client.GetAuthorizationAsync(order.Authorizations[0], ct);
        var challenge = authorization.Challenges.Single(c => c.Type == AcmeChallengeTypes.Http01);

        await client.AnswerChallengeAsync(challenge.Url, ct); // nothing serves the token: Pebble gets a 404
        authorization = await client.WaitForAuthorizationAsync(authorization.Url, TimeSpan.FromSeconds(30), ct);

        Assert.Equal(AcmeStatus.Invalid, authorization.Status);
        var failed = authorization.Challenges.Single(c => c.Url == challenge.Url);
        Assert.Equal(AcmeProblemTypes.Prefix + "unauthorized", failed.Error?.Type);
        Assert.Contains("404", failed.Error?.Detail, StringComparison.Ordinal);
    }
}
