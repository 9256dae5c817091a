using System.Diagnostics.Metrics;
using Gatehouse.Acme.Certificates;
using Gatehouse.Http;

namespace Gatehouse.Tls;

/// <summary>
/// Each served certificate's seconds to expiry (read at each scrape), and ACME's issued certificates (new or renewal)
/// and failed attempts. Labels: the certificate's source and first name, which the config (or the ACME hosts) chose.
/// Handshakes and their failures are Kestrel's own <c>kestrel.tls_handshake.duration</c>.
/// </summary>
internal sealed class TlsTelemetry
{
    public TlsTelemetry(IMeterFactory meters, CertificateStore store, AcmeSource acme, TimeProvider time)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        meter.CreateObservableGauge("gatehouse.certificate.expiry", () => Expiry(store, time), "s",
            "Seconds until each served certificate expires (negative once expired), by source and certificate (its first name).");
        if (acme.Manager is not { } manager)
        {
            return;
        }

        var issued = meter.CreateCounter<long>("gatehouse.acme.certificates.issued", "{certificate}",
            "Certificates the ACME CA issued, by certificate and kind (new or renewal).");
        var failures = meter.CreateCounter<long>("gatehouse.acme.failures", "{attempt}", "ACME orders or renewals that failed (retried later), by certificate.");
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        manager.CertificatePublished += published =>
        {
            var certificate = published.Certificate;
            bool renewal;
            lock (known)
            {
                renewal = !known.Add(certificate.Name);
            }

            if (certificate.Source == AcmeCertificateSource.Issued)
            {
                issued.Add(1, new KeyValuePair<string, object?>("certificate", certificate.Name), new KeyValuePair<string, object?>("kind", renewal ? "renewal" : "new"));
            }
        };
        manager.RenewalFailed += failed => failures.Add(1, new KeyValuePair<string, object?>("certificate", failed.Name));
    }

    private static IEnumerable<Measurement<double>> Expiry(CertificateStore store, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var (source, certificate) in store.All())
        {
            yield return new((certificate.Certificate.NotAfter.ToUniversalTime() - now).TotalSeconds,
                new KeyValuePair<string, object?>("source", source),
                new KeyValuePair<string, object?>("certificate", certificate.Names.Count > 0 ? certificate.Names[0] : certificate.Certificate.Subject));
        }
    }
}
