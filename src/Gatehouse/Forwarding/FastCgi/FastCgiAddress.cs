using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Forwarding;

/// <summary>A FastCGI destination's address: <c>fastcgi://HOST:PORT</c> (TCP) or <c>unix:/PATH</c> (a Unix socket, as PHP-FPM's default pool listens).</summary>
public static class FastCgiAddress
{
    public static bool TryParse(string? address, out EndPoint? endPoint)
    {
        endPoint = null;
        if (address is null)
        {
            return false;
        }

        if (address.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            var path = address["unix:".Length..];
            if (!path.StartsWith('/') || path.Length > 107)
            {
                return false;
            }

            endPoint = new UnixDomainSocketEndPoint(path);
            return true;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !uri.Scheme.Equals("fastcgi", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(uri.Host) || uri.IsDefaultPort || uri.Port <= 0 || uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0)
        {
            return false;
        }

        endPoint = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? new IPEndPoint(ip, uri.Port) : new DnsEndPoint(uri.DnsSafeHost, uri.Port);
        return true;
    }
}
