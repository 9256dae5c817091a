namespace Gatehouse.Tls;

/// <summary>
/// Keeps a certificate from the <see cref="InternalCertificateAuthority"/> for <c>tls.internal.hosts</c> in the store,
/// renewed when two thirds of its life have passed (every few days; a timer on <see cref="TimeProvider"/>).
/// </summary>
internal sealed class InternalCertificateSource : IDisposable
{
    public const string SourceId = "internal";

    private readonly CertificateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<InternalCertificateSource> _logger;
    private readonly Lazy<InternalCertificateAuthority> _authority;
    private readonly ITimer _renewal;
    private readonly Lock _gate = new();
    private IReadOnlyList<string> _hosts = [];
    private bool _issued;

    public InternalCertificateSource(CertificateStore store, string storage, IReadOnlyList<string> hosts, TimeProvider time, ILogger<InternalCertificateSource> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _authority = new Lazy<InternalCertificateAuthority>(() => InternalCertificateAuthority.OpenOrCreate(storage, time));
        _renewal = time.CreateTimer(_ => Issue("renewal"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Configure(hosts);
    }

    /// <summary>The root CA file clients should trust; null until the CA is first used.</summary>
    public string? RootPath => _authority.IsValueCreated ? _authority.Value.RootPath : null;

    public void Configure(IReadOnlyList<string> hosts)
    {
        lock (_gate)
        {
            if (_issued && _hosts.SequenceEqual(hosts, StringComparer.OrdinalIgnoreCase))
            {
                return;
            }

            _hosts = hosts;
            _issued = true;
        }

        Issue("configuration");
    }

    private void Issue(string reason)
    {
        lock (_gate)
        {
            if (_hosts.Count == 0)
            {
                _store.Remove(SourceId);
                _renewal.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            try
            {
                var issued = _authority.Value.Issue(_hosts, _time);
                _store.Set(SourceId, [issued]);
                var renewIn = (issued.Certificate.NotAfter.ToUniversalTime() - _time.GetUtcNow().UtcDateTime) * 2 / 3;
                _renewal.Change(renewIn > TimeSpan.FromMinutes(1) ? renewIn : TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
                _logger.LogInformation("Internal TLS certificate issued ({Reason}) for {Hosts}, expires {NotAfter:u}; trust {Root}",
                    reason, string.Join(", ", _hosts), issued.Certificate.NotAfter.ToUniversalTime(), _authority.Value.RootPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                _logger.LogError(ex, "Internal TLS certificate not issued ({Reason}); retrying in 1 minute", reason);
                _renewal.Change(TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        _renewal.Dispose();
        if (_authority.IsValueCreated)
        {
            _authority.Value.Dispose();
        }
    }
}
