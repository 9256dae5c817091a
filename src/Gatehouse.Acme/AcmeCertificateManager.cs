using System.Collections.Concurrent;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Acme;

/// <summary>
/// Keeps a certificate for every configured group: serves what the store has at start, orders what is missing,
/// renews at two thirds of the lifetime (or inside the CA's ARI window), backs off on failure while the valid
/// certificate keeps serving, and publishes every new certificate through <see cref="CertificatePublished"/> so the
/// server swaps it in without a restart.
/// </summary>
public sealed class AcmeCertificateManager : IAsyncDisposable
{
    // Task.Delay cannot wait longer than ~49 days; waking daily also re-reads the clock after suspend or clock changes.
    private static readonly TimeSpan MaxSingleWait = TimeSpan.FromDays(1);
    private readonly AcmeOptions _options;
    private readonly IAcmeStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly CertificateIssuer _issuer;
    private readonly ConcurrentDictionary<string, AcmeCertificate> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, AcmeCertificate> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];

    public AcmeCertificateManager(
        AcmeOptions options,
        IAcmeStore store,
        AcmeChallengeResponses challenges,
        ILogger<AcmeCertificateManager>? logger = null,
        TimeProvider? timeProvider = null,
        HttpClient? httpClient = null,
        Random? random = null)
    {
        var errors = AcmeOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid ACME options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _store = store;
        Challenges = challenges;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _random = random ?? Random.Shared;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? AcmeHttp.CreateClient(options.TrustedCaBundlePath);
        _issuer = new CertificateIssuer(options, store, challenges, _http, _time, _logger);
    }

    /// <summary>A certificate to serve from now on (from the store at start, or just issued).</summary>
    public event Action<AcmeCertificatePublished>? CertificatePublished;

    /// <summary>An attempt failed; the previous certificate (if any) stays served.</summary>
    public event Action<AcmeRenewalFailed>? RenewalFailed;

    /// <summary>The manager is now waiting until the given time for a certificate.</summary>
    public event Action<AcmeRenewalScheduled>? RenewalScheduled;

    public AcmeChallengeResponses Challenges { get; }

    /// <summary>The certificate to serve for <paramref name="host"/> (SNI), or null.</summary>
    public AcmeCertificate? GetCertificate(string host) => _byHost.TryGetValue(host.TrimEnd('.'), out var certificate) ? certificate : null;

    /// <summary>The account client, registering the account on first use (for inspection and tooling).</summary>
    public Task<AcmeClient> GetClientAsync(CancellationToken cancellationToken = default) => _issuer.GetClientAsync(cancellationToken);

    /// <summary>Publishes the stored certificates, then keeps each group in a background loop until stopped.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException("already started");
        }

        _stopping = new CancellationTokenSource();
        foreach (var request in _options.Certificates)
        {
            var stored = await LoadStoredAsync(request, cancellationToken);
            if (stored is not null)
            {
                Publish(stored);
            }
        }

        _loops = _options.Certificates.Select(request => Task.Run(() => KeepAsync(request, _stopping.Token), CancellationToken.None)).ToArray();
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping?.Dispose();
        _issuer.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task KeepAsync(AcmeCertificateRequest request, CancellationToken stopping)
    {
        var failures = 0;
        DateTimeOffset? retryAt = null;
        var sample = _random.NextDouble(); // one draw per certificate lifetime, so the renewal time does not wander
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var current = _byName.GetValueOrDefault(request.Name);
                if (retryAt is not null && await TakeStoredAsync(request, current, stopping) is { } taken)
                {
                    // Another instance sharing the store got the certificate while this one waited to retry.
                    retryAt = null;
                    failures = 0;
                    sample = _random.NextDouble();
                    Publish(taken);
                    continue;
                }

                var now = _time.GetUtcNow();
                var (renewAt, recheckAt) = retryAt is { } retry
                    ? (retry, Min(retry, now + _options.Renewal.StoreRecheckWhileFailing))
                    : await PlanAsync(request, current, now, sample, stopping);
                var wakeAt = Min(recheckAt, renewAt);
                now = _time.GetUtcNow(); // planning may have waited on the CA (renewalInfo): measure the wait from now
                if (wakeAt > now)
                {
                    var wait = wakeAt - now > MaxSingleWait ? MaxSingleWait : wakeAt - now;
                    var delay = Task.Delay(wait, _time, stopping); // created before the event, so a listener moving the clock is seen
                    Raise(RenewalScheduled, new AcmeRenewalScheduled(request.Name, wakeAt, renewAt));
                    await delay;
                }

                if (_time.GetUtcNow() < renewAt)
                {
                    continue; // woke to re-check ARI or after a capped wait
                }

                retryAt = null;
                var renewed = await RenewAsync(request, current, stopping);
                failures = 0;
                sample = _random.NextDouble();
                Publish(renewed);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var now = _time.GetUtcNow();
                retryAt = RenewalSchedule.NextAttemptAfterFailure(now, failures, (e as AcmeException)?.RetryAfter, _options.Renewal);
                var serving = _byName.GetValueOrDefault(request.Name);
                _logger.LogError(e, "ACME: obtaining a certificate for {Hosts} failed ({Failures} in a row); {Serving}; next attempt at {NextAttempt:O}",
                    string.Join(", ", request.Hosts), failures,
                    serving is null ? "nothing to serve yet" : $"still serving the certificate valid until {serving.NotAfter:O}", retryAt);
                Raise(RenewalFailed, new AcmeRenewalFailed(request.Name, e, failures, retryAt.Value, serving));
            }
        }
    }

    /// <summary>When to renew, and when to look again (ARI re-check); a missing or unfit certificate is due now.</summary>
    private async Task<(DateTimeOffset RenewAt, DateTimeOffset RecheckAt)> PlanAsync(
        AcmeCertificateRequest request, AcmeCertificate? current, DateTimeOffset now, double sample, CancellationToken stopping)
    {
        if (current is null || !current.Covers(request.Hosts) || now >= current.NotAfter)
        {
            return (now, now);
        }

        AcmeRenewalInfo? renewalInfo = null;
        try
        {
            var client = await _issuer.GetClientAsync(stopping);
            renewalInfo = await client.GetRenewalInfoAsync(current.Certificate, stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // ARI is advice: without it the lifetime rule decides, and the CA is asked again later.
            _logger.LogWarning("ACME: no renewal information for {Name}: {Error}", request.Name, e.Message);
        }

        var renewAt = RenewalSchedule.RenewalTime(current.NotBefore, current.NotAfter, renewalInfo, now, sample, _options.Renewal);
        var recheckAt = renewalInfo is null ? DateTimeOffset.MaxValue : RenewalSchedule.RenewalInfoRecheck(now, renewalInfo, _options.Renewal);
        return (renewAt, recheckAt);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Whether a stored certificate, another instance's, is to be served instead of <paramref name="current"/>: a different one, not yet due for renewal.</summary>
    private bool ReplacesCurrent(AcmeCertificate stored, AcmeCertificate? current) =>
        stored.Certificate.Thumbprint != current?.Certificate.Thumbprint
        && _time.GetUtcNow() < RenewalSchedule.RenewalTime(stored.NotBefore, stored.NotAfter, 1, _options.Renewal);

    /// <summary>
    /// The stored certificate when it differs from <paramref name="current"/> and is not yet due for renewal, read
    /// quietly (a missing, unreadable or stale one is left to the next attempt, which says why).
    /// </summary>
    private async Task<AcmeCertificate?> TakeStoredAsync(AcmeCertificateRequest request, AcmeCertificate? current, CancellationToken stopping)
    {
        try
        {
            var blob = await _store.ReadAsync(AcmeStoreNames.Certificate(request.Name), stopping);
            if (blob is null)
            {
                return null;
            }

            var stored = AcmeCertificate.Decode(request.Name, request.Hosts, blob, AcmeCertificateSource.Store);
            return stored.Covers(request.Hosts) && ReplacesCurrent(stored, current) ? stored : null;
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // An unreachable store or an unreadable blob: the retry, when due, tries the store again and says why.
            _logger.LogDebug("ACME: re-reading the stored certificate for {Name} failed: {Error}", request.Name, e.Message);
            return null;
        }
    }

    private async Task<AcmeCertificate> RenewAsync(AcmeCertificateRequest request, AcmeCertificate? current, CancellationToken stopping)
    {
        await using var certificateLock = await _store.LockAsync(AcmeStoreNames.CertificateLock(request.Name), stopping);
        // Another instance sharing the store may have renewed while this one waited for the lock: take its certificate.
        var stored = await LoadStoredAsync(request, stopping);
        if (stored is not null && ReplacesCurrent(stored, current))
        {
            return stored;
        }

        var issued = await _issuer.IssueAsync(request, current, stopping);
        _logger.LogInformation("ACME: issued a certificate for {Hosts}, valid until {NotAfter:O}", string.Join(", ", request.Hosts), issued.NotAfter);
        return issued;
    }

    private async Task<AcmeCertificate?> LoadStoredAsync(AcmeCertificateRequest request, CancellationToken cancellationToken)
    {
        var blob = await _store.ReadAsync(AcmeStoreNames.Certificate(request.Name), cancellationToken);
        if (blob is null)
        {
            return null;
        }

        try
        {
            var certificate = AcmeCertificate.Decode(request.Name, request.Hosts, blob, AcmeCertificateSource.Store);
            if (certificate.Covers(request.Hosts) && _time.GetUtcNow() < certificate.NotAfter)
            {
                return certificate;
            }

            _logger.LogInformation("ACME: the stored certificate for {Name} has expired or names other hosts; ordering a new one", request.Name);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            _logger.LogWarning("ACME: the stored certificate for {Name} is unreadable ({Error}); ordering a new one", request.Name, e.Message);
        }

        return null;
    }

    private void Publish(AcmeCertificate certificate)
    {
        _byName[certificate.Name] = certificate;
        foreach (var host in certificate.Hosts)
        {
            _byHost[host] = certificate;
        }

        Raise(CertificatePublished, new AcmeCertificatePublished(certificate));
    }

    /// <summary>
    /// Runs a listener without letting it fail the loop: a throwing listener must not count as a failed renewal
    /// (which would order again) or stop the schedule.
    /// </summary>
    private void Raise<T>(Action<T>? listeners, T value)
    {
        try
        {
            listeners?.Invoke(value);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "ACME: a {Event} listener failed", typeof(T).Name);
        }
    }
}
