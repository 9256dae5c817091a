using Gatehouse.Configuration;
using Gatehouse.Runtime;

namespace Gatehouse.Tls;

/// <summary>
/// Applies the <c>tls</c> section of a reloaded config: the certificate list and the internal issuer's hosts change
/// without a restart (HSTS and redirect settings are read per request). Listener TLS settings and minProtocol are read at
/// start-up only.
/// </summary>
internal sealed class TlsReloadService(
    GenerationHolder generations,
    FileCertificateSource files,
    InternalCertificateSource internalIssuer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        generations.Applied += OnApplied;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        generations.Applied -= OnApplied;
        return Task.CompletedTask;
    }

    private void OnApplied(Generation generation)
    {
        var tls = generation.Config.Tls;
        if (!tls.Certificates.SequenceEqual(files.Definitions))
        {
            files.Configure(tls.Certificates);
        }

        internalIssuer.Configure(tls.Internal.Hosts);
    }
}
