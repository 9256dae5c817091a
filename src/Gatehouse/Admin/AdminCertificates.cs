using System.Globalization;
using Gatehouse.Tls;

namespace Gatehouse.Admin;

/// <summary><c>GET /certificates</c>: every certificate Gatehouse can present, with its hosts, issuer, validity and source.</summary>
internal static class AdminCertificates
{
    public static object Build(CertificateStore store, DateTimeOffset now) => new { certificates = List(store, now) };

    public static IEnumerable<object> List(CertificateStore store, DateTimeOffset now) => store.Entries.Select(e =>
    {
        var certificate = e.Certificate.Certificate;
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        return new
        {
            hosts = e.Certificate.Names,
            subject = certificate.Subject,
            issuer = certificate.Issuer,
            notBefore = certificate.NotBefore.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            notAfter = notAfter.ToString("O", CultureInfo.InvariantCulture),
            daysLeft = Math.Floor((notAfter - now).TotalDays),
            thumbprint = certificate.Thumbprint,
            source = e.Source,
            isDefault = e.IsDefault,
        };
    }).ToList();
}
