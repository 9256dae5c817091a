using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Storage;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>A certificate manager against a fixture's Pebble, with its events as channels to await.</summary>
public sealed class ManagerHarness : IAsyncDisposable
{
    public ManagerHarness(PebbleFixture fixture, AcmeOptions options, string storeDirectory, TimeProvider? time = null, AcmeChallengeResponses? responses = null)
    {
        Store = new FileAcmeStore(storeDirectory);
        Manager = new AcmeCertificateManager(
            options with { DirectoryUrl = fixture.Pebble.DirectoryUrl, TrustedCaBundlePath = fixture.Pebble.CaBundlePath, AcceptTermsOfService = true },
            Store, responses ?? fixture.Server.Responses, logger: null, timeProvider: time);
        Manager.CertificatePublished += e => Published.Writer.TryWrite(e);
        Manager.RenewalFailed += e => Failed.Writer.TryWrite(e);
        Manager.RenewalScheduled += e => Scheduled.Writer.TryWrite(e);
    }

    public FileAcmeStore Store { get; }

    public AcmeCertificateManager Manager { get; }

    public Channel<AcmeCertificatePublished> Published { get; } = Channel.CreateUnbounded<AcmeCertificatePublished>();

    public Channel<AcmeRenewalFailed> Failed { get; } = Channel.CreateUnbounded<AcmeRenewalFailed>();

    public Channel<AcmeRenewalScheduled> Scheduled { get; } = Channel.CreateUnbounded<AcmeRenewalScheduled>();

    public static TimeSpan Timeout => TimeSpan.FromSeconds(60);

    public static async Task<T> NextAsync<T>(Channel<T> channel) =>
        await channel.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken);

    /// <summary>The next published certificate; a failure in the meantime fails the test with the CA's reason.</summary>
    public async Task<AcmeCertificate> NextPublishedAsync()
    {
        var published = Published.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask();
        var failed = Failed.Reader.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask();
        await Task.WhenAny(published, failed).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        if (!published.IsCompleted && Failed.Reader.TryPeek(out var failure))
        {
            throw new Xunit.Sdk.XunitException($"expected a certificate, got a failure: {failure.Error}");
        }

        return (await published).Certificate;
    }

    /// <summary>Builds the chain of <paramref name="certificate"/> with Pebble's root as the only trust anchor.</summary>
    public static async Task AssertChainsToPebbleRootAsync(PebbleFixture fixture, AcmeCertificate certificate)
    {
        using var root = await fixture.Pebble.GetRootAsync();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(certificate.Chain);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var built = chain.Build(certificate.Certificate);
        Assert.True(built, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
        Assert.True(certificate.Certificate.HasPrivateKey);
    }

    public async ValueTask DisposeAsync() => await Manager.DisposeAsync();
}
