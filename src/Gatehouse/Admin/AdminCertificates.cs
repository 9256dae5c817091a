using System.Globalization;
using Gatehouse.Tls;

namespace Gatehouse.Admin;

/// <summary><c>GET /certificates</c>: every certificate Gatehouse can present, with its hosts, issuer, validity and source.</summary>
internal static class AdminCertificates
{
    public static AdminCertificatesBody Build(CertificateStore store, DateTimeOffset now) => new(List(store, now));

    public static IReadOnlyList<AdminCertificate> List(CertificateStore store, DateTimeOffset now) => store.Entries.Select(e =>
    {
        var certificate = e.Certificate.Certificate;
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return new AdminCertificate(
            Hosts: e.Certificate.Names,
            Subject: certificate.Subject,
            Issuer: certificate.Issuer,
            NotBefore: certificate.NotBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            NotAfter: notAfter.ToString("O", CultureInfo.InvariantCulture),
            DaysLeft: Math.Floor((notAfter - now).TotalDays),
            Thumbprint: certificate.Thumbprint,
            Source: e.Source,
            IsDefault: e.IsDefault);
    }).ToList();
}
