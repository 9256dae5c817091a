using System.Net;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gatehouse.Tls;

/// <summary>The HTTPS listeners as bound (for the redirect's port) and the client-certificate header names to strip.</summary>
internal sealed class HttpsListeners
{
    private readonly List<ListenOptions> _bound = [];

    public HttpsListeners(GatehouseConfig config)
    {
        ClientCertificateHeaders = config.Listeners.Where(l => l.Tls is not null)
            .SelectMany(l => new[] { l.Tls!.ClientCertificate.SubjectHeader, l.Tls.ClientCertificate.FingerprintHeader })
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
    }

    public IReadOnlyList<string> ClientCertificateHeaders { get; }

    /// <summary>The port of the first HTTPS listener, once bound (port 0 resolves to the system-chosen port).</summary>
    public int? RedirectPort
    {
        get
        {
            lock (_bound)
            {
                return _bound.Count > 0 && _bound[0].EndPoint is IPEndPoint { Port: > 0 } endPoint ? endPoint.Port : null;
            }
        }
    }

    public void Add(ListenOptions listen)
    {
        lock (_bound)
        {
            _bound.Add(listen);
        }
    }
}
