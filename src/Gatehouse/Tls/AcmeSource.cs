using System.Runtime.CompilerServices;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Storage;
using Gatehouse.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Tls;

/// <summary>
/// Runs the ACME certificate manager for <c>tls.acme</c>: stored certificates are served from start-up, missing ones are
/// ordered once the listeners are up, and every certificate the manager publishes replaces the <c>acme</c> source of the
/// <see cref="CertificateStore"/> (new handshakes get it; established connections keep theirs). A failed renewal
/// publishes nothing, so the valid certificate keeps serving. State goes through <see cref="IAcmeStore"/>.
/// </summary>
internal sealed class AcmeSource : IHostedLifecycleService, IAsyncDisposable
{
    public const string SourceId = "acme";

    /// <summary>A keyed <see cref="TimeProvider"/> registered under this key drives renewal times instead of the server's clock.</summary>
    public const string ClockKey = "acme";

    private readonly CertificateStore _store;
    private readonly Lock _gate = new();
    private readonly Lock _publishing = new();

    // Per name, the certificate and the entry the store was given for it: the store builds a certificate's handshake
    // context once per entry, so an unchanged certificate keeps its context (and TLS session state) when another one
    // is published.
    private readonly Dictionary<string, (AcmeCertificate Certificate, CertificateWithChain Served)> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AcmeRenewalScheduled> _scheduled = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger<AcmeSource> _logger;
    private int _disposed;

    public AcmeSource(
        CertificateStore store,
        AcmeDefinition acme,
        IAcmeStore? acmeStore,
        string baseDirectory,
        AcmeChallengeResponses challenges,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _store = store;
        _logger = loggers.CreateLogger<AcmeSource>();
        AcmeStore = acmeStore;
        if (!acme.Enabled || acmeStore is null)
        {
            return;
        }

        var options = AcmeSettings.ToOptions(acme, acme.CaBundle is { } bundle ? TlsPaths.Resolve(baseDirectory, bundle) : null);
        Manager = new AcmeCertificateManager(options, acmeStore, challenges,
            loggers.CreateLogger<AcmeCertificateManager>(), time);
        Manager.CertificatePublished += OnPublished;
        Manager.RenewalScheduled += OnScheduled;
    }

    /// <summary>The manager decided when it acts next for a certificate (renewal, ARI re-check or retry).</summary>
    public event Action<AcmeRenewalScheduled>? RenewalScheduled;

    /// <summary>The manager, or null when no host is configured.</summary>
    public AcmeCertificateManager? Manager { get; }

    /// <summary>Where accounts and certificates are kept, and ordering is locked (files by default; a shared store for a cluster).</summary>
    public IAcmeStore? AcmeStore { get; }

    /// <summary>The certificate being served for a configured name (the first host of its group), or null.</summary>
    public AcmeCertificate? Current(string name)
    {
        lock (_gate)
        {
            return _certificates.TryGetValue(name, out var current) ? current.Certificate : null;
        }
    }

    /// <summary>The manager's latest plan for a configured name, or null before it made one.</summary>
    public AcmeRenewalScheduled? LastScheduled(string name)
    {
        lock (_gate)
        {
            return _scheduled.GetValueOrDefault(name);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After every hosted service, the web server included, has started: the listeners that answer the challenges are
    /// bound before the first order. Stored certificates are published here too, before any order.
    /// </summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (Manager is not null)
        {
            _logger.LogInformation("ACME: keeping certificates in {Store}", AcmeStore is FileAcmeStore files ? files.Directory : AcmeStore?.GetType().Name);
            await Manager.StartAsync(cancellationToken);
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Manager is not null)
        {
            await Manager.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a hosted service: the container disposes it once per registration.
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && Manager is not null)
        {
            await Manager.DisposeAsync();
        }
    }

    private void OnScheduled(AcmeRenewalScheduled scheduled)
    {
        lock (_gate)
        {
            _scheduled[scheduled.Name] = scheduled;
        }

        RenewalScheduled?.Invoke(scheduled);
    }

    private void OnPublished(AcmeCertificatePublished published)
    {
        var certificate = published.Certificate;
        // One publisher at a time: two certificates published together must not hand the store an older set last.
        lock (_publishing)
        {
            List<CertificateWithChain> all;
            lock (_gate)
            {
                _certificates[certificate.Name] = (certificate, new CertificateWithChain(certificate.Certificate, certificate.Chain));
                all = [.. _certificates.Values.Select(c => c.Served)];
            }

            _store.Set(SourceId, all);
        }

        _logger.LogInformation("ACME: serving the {Source} certificate for {Hosts}, valid until {NotAfter:O}",
            certificate.Source == AcmeCertificateSource.Store ? "stored" : "new", string.Join(", ", certificate.Hosts), certificate.NotAfter);
    }
}

/// <summary>Registers the ACME source and, when hosts are configured, the challenge hooks the listeners answer from.</summary>
public static class AcmeHostingExtensions
{
    private static readonly ConditionalWeakTable<X509Certificate2, SslStreamCertificateContext> Contexts = new();

    /// <summary>
    /// Registers the ACME source. State goes through <see cref="IAcmeStore"/>: a <see cref="FileAcmeStore"/> in
    /// <c>{tls.storage}/acme</c> unless another store is registered first (a shared one for a cluster).
    /// </summary>
    public static IServiceCollection AddGatehouseAcme(this IServiceCollection services, ConfigSource source)
    {
        var tls = source.Initial.Tls;
        services.AddSingleton<AcmeChallengeResponses>();
        services.TryAddSingleton<IAcmeStore>(sp => new FileAcmeStore(Path.Combine(TlsPaths.Storage(tls, source.Path), "acme"), Clock(sp)));
        services.AddSingleton(sp => new AcmeSource(
            sp.GetRequiredService<CertificateStore>(), tls.Acme,
            tls.Acme.Enabled ? sp.GetRequiredService<IAcmeStore>() : null, // no folder is created while ACME is off
            TlsPaths.BaseDirectory(source.Path),
            sp.GetRequiredService<AcmeChallengeResponses>(), Clock(sp), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<AcmeSource>());
        if (!tls.Acme.Enabled)
        {
            return services;
        }

        services.AddSingleton<HttpChallengeResponses>(sp => sp.GetRequiredService<AcmeChallengeResponses>().GetHttp01Async);
        services.AddSingleton<TlsAlpnChallengeCertificates>(sp =>
        {
            var challenges = sp.GetRequiredService<AcmeChallengeResponses>();
            return async host => await challenges.GetTlsAlpn01Async(host) is { } certificate
                ? Contexts.GetValue(certificate, c => SslStreamCertificateContext.Create(c, null, offline: true))
                : null;
        });
        return services;
    }

    private static TimeProvider Clock(IServiceProvider services) =>
        services.GetKeyedService<TimeProvider>(AcmeSource.ClockKey) ?? services.GetRequiredService<TimeProvider>();
}
