using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>Certificates obtained from a real Pebble, validated by it against a real Kestrel answering the challenges.</summary>
public sealed class IssuanceTests(PebbleFixture fixture) : IClassFixture<PebbleFixture>, IDisposable
{
    private readonly string _storeDirectory = Directory.CreateTempSubdirectory("gatehouse-acme-store-").FullName;

    [Fact]
    public async Task Http01_ObtainsCertificate_ThatChainsToPebbleRoot()
    {
        await using var harness = new ManagerHarness(fixture,
            AcmeOptions.ForHosts("http01.gatehouse.test") with { ChallengeTypes = [AcmeChallengeTypes.Http01] }, _storeDirectory);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);

        var certificate = await harness.NextPublishedAsync();

        Assert.Equal(AcmeCertificateSource.Issued, certificate.Source);
        Assert.True(certificate.Covers(["http01.gatehouse.test"]));
        Assert.Same(certificate, harness.Manager.GetCertificate("http01.gatehouse.test"));
        await ManagerHarness.AssertChainsToPebbleRootAsync(fixture, certificate);
    }

    [Fact]
    public async Task TlsAlpn01_ObtainsCertificate_ThatChainsToPebbleRoot()
    {
        var answersBefore = fixture.Server.TlsAlpnAnswers;
        await using var harness = new ManagerHarness(fixture,
            AcmeOptions.ForHosts("alpn.gatehouse.test") with { ChallengeTypes = [AcmeChallengeTypes.TlsAlpn01] }, _storeDirectory);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);

        var certificate = await harness.NextPublishedAsync();

        Assert.True(certificate.Covers(["alpn.gatehouse.test"]));
        Assert.True(fixture.Server.TlsAlpnAnswers > answersBefore, "Pebble validated without an acme-tls/1 handshake");
        await ManagerHarness.AssertChainsToPebbleRootAsync(fixture, certificate);
    }

    [Fact]
    public async Task Group_OfTwoHosts_GetsOneCertificateNamingBoth()
    {
        await using var harness = new ManagerHarness(fixture,
            new AcmeOptions { Certificates = [new AcmeCertificateRequest(["a.group.gatehouse.test", "b.group.gatehouse.test"])] }, _storeDirectory);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);

        var certificate = await harness.NextPublishedAsync();

        Assert.True(certificate.Covers(["a.group.gatehouse.test", "b.group.gatehouse.test"]));
        Assert.Same(certificate, harness.Manager.GetCertificate("a.group.gatehouse.test"));
        Assert.Same(certificate, harness.Manager.GetCertificate("b.group.gatehouse.test"));
        Assert.Null(harness.Manager.GetCertificate("c.group.gatehouse.test"));
    }

    [Fact]
    public async Task TwoManagersSharingAStore_OrderOnce_AndBothServeTheSameCertificate()
    {
        // Two instances of a cluster on one store: the store's locks let one order while the other waits and reuses.
        var options = AcmeOptions.ForHosts("shared.gatehouse.test");
        await using var first = new ManagerHarness(fixture, options, _storeDirectory);
        await using var second = new ManagerHarness(fixture, options, _storeDirectory);
        await Task.WhenAll(
            first.Manager.StartAsync(TestContext.Current.CancellationToken),
            second.Manager.StartAsync(TestContext.Current.CancellationToken));

        var published = await Task.WhenAll(first.NextPublishedAsync(), second.NextPublishedAsync());

        Assert.Equal(published[0].Certificate.Thumbprint, published[1].Certificate.Thumbprint);
        Assert.Equal([AcmeCertificateSource.Store, AcmeCertificateSource.Issued], published.Select(c => c.Source).Order());
        var client = await first.Manager.GetClientAsync(TestContext.Current.CancellationToken);
        Assert.Single(await client.ListOrdersAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose() => Directory.Delete(_storeDirectory, recursive: true);
}
