using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Yarp.ReverseProxy.Configuration;

// The smallest YARP reverse proxy: one catch-all route to one destination, logging off, YARP's defaults otherwise.
// Usage: minimal-yarp PORT BACKEND_URL [--round-robin URL,URL,...] [--tls CERT.pem KEY.pem]
//   --round-robin  also a route for /rr-small to a cluster of those destinations with YARP's RoundRobin policy
//   --tls          HTTPS on PORT with that certificate (Kestrel's defaults: HTTP/1.1 and HTTP/2 by ALPN)
if (args.Length < 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    return Usage();
}

string[]? roundRobin = null;
X509Certificate2? certificate = null;
for (var i = 2; i < args.Length; i++)
{
    if (args[i] == "--round-robin" && i + 1 < args.Length)
    {
        roundRobin = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
    else if (args[i] == "--tls" && i + 2 < args.Length)
    {
        certificate = X509Certificate2.CreateFromPemFile(args[i + 1], args[i + 2]);
        i += 2;
    }
    else
    {
        return Usage();
    }
}

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen =>
    {
        if (certificate is not null)
        {
            listen.UseHttps(certificate);
        }
    });
});

List<RouteConfig> routes = [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**catch-all}" } }];
List<ClusterConfig> clusters = [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["a"] = new() { Address = args[1] } } }];
if (roundRobin is not null)
{
    routes.Add(new RouteConfig { RouteId = "rr", ClusterId = "rr", Match = new RouteMatch { Path = "/rr-small" } });
    clusters.Add(new ClusterConfig
    {
        ClusterId = "rr",
        LoadBalancingPolicy = "RoundRobin",
        Destinations = roundRobin.Select((address, i) => (address, i)).ToDictionary(d => "d" + d.i.ToString(CultureInfo.InvariantCulture), d => new DestinationConfig { Address = d.address }),
    });
}

builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
return 0;

static int Usage()
{
    Console.Error.WriteLine("usage: minimal-yarp PORT BACKEND_URL [--round-robin URL,URL,...] [--tls CERT.pem KEY.pem]");
    return 2;
}
