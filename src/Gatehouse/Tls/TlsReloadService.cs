using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// Applies the <c>tls</c> section of a reloaded config: the certificate list and the internal issuer's hosts change
/// without a restart (HSTS and redirect settings are read per request). Listener TLS settings and minProtocol are read at
/// start-up only.
/// </summary>
internal sealed class TlsReloadService(
    ConfigReloader reloader,
    RuntimeSettingsHolder settings,
    FileCertificateSource files,
    InternalCertificateSource internalIssuer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        reloader.Reloaded += OnReloaded;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        reloader.Reloaded -= OnReloaded;
        return Task.CompletedTask;
    }

    private void OnReloaded(ReloadOutcome outcome)
    {
        if (!outcome.Applied)
        {
            return;
        }

        var tls = settings.Current.Config.Tls;
        if (!tls.Certificates.SequenceEqual(files.Definitions))
        {
            files.Configure(tls.Certificates);
        }

        internalIssuer.Configure(tls.Internal.Hosts);
    }
}
