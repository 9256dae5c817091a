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

    public void Dispose() => Directory.Delete(_storeDirectory, recursive: true);
}
