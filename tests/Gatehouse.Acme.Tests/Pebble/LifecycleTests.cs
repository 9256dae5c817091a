using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Storage;
using Gatehouse.Acme.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>
/// Renewal, failure and restart of the certificate manager against Pebble. The manager's clock is a FakeTimeProvider
/// moved to the moment it said it would act; Pebble and the challenge server run in real time.
/// </summary>
public sealed class LifecycleTests(PebbleFixture fixture) : IClassFixture<PebbleFixture>, IDisposable
{
    private static readonly RenewalPolicy NoJitter = new() { JitterFractionOfLifetime = 0, InitialBackoff = TimeSpan.FromMinutes(1) };
    private readonly string _storeDirectory = Directory.CreateTempSubdirectory("gatehouse-acme-store-").FullName;

    [Fact]
    public async Task NearExpiry_RenewsAtTwoThirdsOfLifetime_AndPublishesTheNewCertificate()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("renew.gatehouse.test") with { Renewal = NoJitter }, _storeDirectory, time);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);
        var first = await harness.NextPublishedAsync();
        var scheduled = await ManagerHarness.NextAsync(harness.Scheduled);
        Assert.Equal(first.NotBefore + ((first.NotAfter - first.NotBefore) * (2.0 / 3.0)), scheduled.RenewAt, TimeSpan.FromSeconds(1));

        time.SetUtcNow(scheduled.RenewAt);
        var second = await harness.NextPublishedAsync();

        Assert.Equal(AcmeCertificateSource.Issued, second.Source);
        Assert.NotEqual(first.Certificate.Thumbprint, second.Certificate.Thumbprint);
        Assert.Same(second, harness.Manager.GetCertificate("renew.gatehouse.test"));
        await ManagerHarness.AssertChainsToPebbleRootAsync(fixture, second);
        var next = await ManagerHarness.NextAsync(harness.Scheduled);
        Assert.True(next.RenewAt > time.GetUtcNow(), $"the renewed certificate is due again at once ({next.RenewAt:O})");
    }

    [Fact]
    public async Task ChallengesNotAnswered_KeepsServingTheValidCertificate_AndBacksOffExponentially()
    {
        // Issued under another account, and only the certificate copied over: the CA holds no valid authorization of
        // this manager's account to reuse, so every renewal needs a challenge answered.
        var issuingStore = Directory.CreateTempSubdirectory("gatehouse-acme-store-").FullName;
        AcmeCertificate first;
        try
        {
            first = await ObtainAsync("unanswered.gatehouse.test", issuingStore);
            var name = AcmeStoreNames.Certificate("unanswered.gatehouse.test");
            var blob = await new FileAcmeStore(issuingStore).ReadAsync(name, TestContext.Current.CancellationToken);
            await new FileAcmeStore(_storeDirectory).WriteAsync(name, blob!, TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(issuingStore, recursive: true);
        }

        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var unserved = new AcmeChallengeResponses(); // the Kestrel server never sees these: Pebble gets 404s
        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("unanswered.gatehouse.test") with { Renewal = NoJitter }, _storeDirectory, time, unserved);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);
        var loaded = await harness.NextPublishedAsync();
        Assert.Equal(AcmeCertificateSource.Store, loaded.Source);
        Assert.Equal(first.Certificate.Thumbprint, loaded.Certificate.Thumbprint);

        time.SetUtcNow((await ManagerHarness.NextAsync(harness.Scheduled)).RenewAt);
        var failure = await ManagerHarness.NextAsync(harness.Failed);

        var error = Assert.IsType<AcmeException>(failure.Error);
        Assert.Contains("unauthorized", error.Problem?.Type ?? error.Message, StringComparison.Ordinal);
        Assert.Equal(1, failure.ConsecutiveFailures);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), failure.NextAttempt);
        Assert.Equal(first.Certificate.Thumbprint, failure.StillServing?.Certificate.Thumbprint);
        Assert.Equal(first.Certificate.Thumbprint, harness.Manager.GetCertificate("unanswered.gatehouse.test")?.Certificate.Thumbprint);

        var retry = await ManagerHarness.NextAsync(harness.Scheduled);
        Assert.Equal(failure.NextAttempt, retry.RenewAt);
        time.SetUtcNow(retry.RenewAt);
        var second = await ManagerHarness.NextAsync(harness.Failed);

        Assert.Equal(2, second.ConsecutiveFailures);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(2), second.NextAttempt);
        Assert.False(harness.Published.Reader.TryRead(out _), "a failed renewal published a certificate");
        Assert.Equal(first.Certificate.Thumbprint, harness.Manager.GetCertificate("unanswered.gatehouse.test")?.Certificate.Thumbprint);
    }

    [Fact]
    public async Task WhileWaitingToRetry_ACertificateAnotherInstanceStored_IsServedWithoutWaitingForTheRetry()
    {
        // Cluster mode: instances share the store, and the one whose order failed (its challenge went to an instance
        // not yet listening) must not wait out its backoff while another instance's certificate sits in the store.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var unserved = new AcmeChallengeResponses();
        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("shared.gatehouse.test") with { Renewal = NoJitter }, _storeDirectory, time, unserved);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);
        var failure = await ManagerHarness.NextAsync(harness.Failed);
        Assert.Null(failure.StillServing);
        var waiting = await ManagerHarness.NextAsync(harness.Scheduled);
        Assert.Equal(failure.NextAttempt, waiting.RenewAt);
        Assert.True(waiting.At < waiting.RenewAt, "the wait to retry does not look at the store before the retry");

        // Another instance obtains the certificate and stores it (here: a second manager on the same directory).
        var other = await ObtainAsync("shared.gatehouse.test");
        time.SetUtcNow(waiting.At);
        var published = await ManagerHarness.NextAsync(harness.Published);

        Assert.Equal(other.Certificate.Thumbprint, published.Certificate.Certificate.Thumbprint);
        Assert.Equal(AcmeCertificateSource.Store, published.Certificate.Source);
        Assert.True(time.GetUtcNow() < failure.NextAttempt);
        Assert.Equal(other.Certificate.Thumbprint, harness.Manager.GetCertificate("shared.gatehouse.test")?.Certificate.Thumbprint);
    }

    [Fact]
    public async Task CaUnreachable_KeepsServingTheStoredCertificate_AndBacksOff()
    {
        await using var pebble = await TestSupport.Pebble.StartAsync(fixture.Server.HttpPort, fixture.Server.TlsPort);
        var options = AcmeOptions.ForHosts("down.gatehouse.test") with
        {
            DirectoryUrl = pebble.DirectoryUrl, TrustedCaBundlePath = pebble.CaBundlePath, AcceptTermsOfService = true, Renewal = NoJitter,
        };
        AcmeCertificate first;
        await using (var manager = new AcmeCertificateManager(options, new FileAcmeStore(_storeDirectory), fixture.Server.Responses))
        {
            var published = new TaskCompletionSource<AcmeCertificate>(TaskCreationOptions.RunContinuationsAsynchronously);
            manager.CertificatePublished += e => published.TrySetResult(e.Certificate);
            manager.RenewalFailed += e => published.TrySetException(e.Error);
            await manager.StartAsync(TestContext.Current.CancellationToken);
            first = await published.Task.WaitAsync(ManagerHarness.Timeout, TestContext.Current.CancellationToken);
        }

        pebble.StopCa();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var restarted = new AcmeCertificateManager(options, new FileAcmeStore(_storeDirectory), fixture.Server.Responses, timeProvider: time);
        var failures = System.Threading.Channels.Channel.CreateUnbounded<AcmeRenewalFailed>();
        var schedule = System.Threading.Channels.Channel.CreateUnbounded<AcmeRenewalScheduled>();
        restarted.RenewalFailed += e => failures.Writer.TryWrite(e);
        restarted.RenewalScheduled += e => schedule.Writer.TryWrite(e);
        await restarted.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(first.Certificate.Thumbprint, restarted.GetCertificate("down.gatehouse.test")?.Certificate.Thumbprint);

        time.SetUtcNow((await ManagerHarness.NextAsync(schedule)).RenewAt);
        var failure = await ManagerHarness.NextAsync(failures);

        Assert.IsType<HttpRequestException>(failure.Error);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(1), failure.NextAttempt);
        Assert.Equal(first.Certificate.Thumbprint, restarted.GetCertificate("down.gatehouse.test")?.Certificate.Thumbprint);
    }

    [Fact]
    public async Task Restart_ReusesAccountKeyAndCertificate_WithoutANewOrder()
    {
        var first = await ObtainAsync("restart.gatehouse.test");
        var store = new FileAcmeStore(_storeDirectory);
        var accountKey = await store.ReadAsync(AcmeStoreNames.AccountKey(fixture.Pebble.DirectoryUrl), TestContext.Current.CancellationToken);
        Assert.NotNull(accountKey);

        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("restart.gatehouse.test"), _storeDirectory);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);
        var loaded = await harness.NextPublishedAsync();
        var scheduled = await ManagerHarness.NextAsync(harness.Scheduled);

        Assert.Equal(AcmeCertificateSource.Store, loaded.Source);
        Assert.Equal(first.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.True(scheduled.RenewAt > DateTimeOffset.UtcNow.AddDays(1), "a fresh stored certificate was scheduled for renewal at once");
        Assert.Equal(accountKey, await store.ReadAsync(AcmeStoreNames.AccountKey(fixture.Pebble.DirectoryUrl), TestContext.Current.CancellationToken));
        var client = await harness.Manager.GetClientAsync(TestContext.Current.CancellationToken);
        var orders = await client.ListOrdersAsync(TestContext.Current.CancellationToken);
        Assert.Single(orders); // the one order of the first run: the restart ordered nothing
    }

    [Fact]
    public async Task ThrowingListener_DoesNotCountAsAFailure_NorOrderAgain()
    {
        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("listener.gatehouse.test"), _storeDirectory);
        harness.Manager.CertificatePublished += _ => throw new InvalidOperationException("a broken listener");
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);

        var certificate = await harness.NextPublishedAsync();
        var scheduled = await ManagerHarness.NextAsync(harness.Scheduled);

        Assert.True(scheduled.RenewAt > DateTimeOffset.UtcNow.AddDays(1));
        Assert.False(harness.Failed.Reader.TryRead(out _));
        Assert.Same(certificate, harness.Manager.GetCertificate("listener.gatehouse.test"));
    }

    private async Task<AcmeCertificate> ObtainAsync(string host, string? storeDirectory = null)
    {
        await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts(host), storeDirectory ?? _storeDirectory);
        await harness.Manager.StartAsync(TestContext.Current.CancellationToken);
        return await harness.NextPublishedAsync();
    }

    public void Dispose() => Directory.Delete(_storeDirectory, recursive: true);
}
