using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Certificates;

/// <summary>The subjectAltName extension (RFC 5280 §4.2.1.6) naming some hosts: an IP address as one, anything else as a DNS name.</summary>
public static class SubjectAlternativeNames
{
    public static X509Extension For(IEnumerable<string> hosts)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        return names.Build();
    }
}
