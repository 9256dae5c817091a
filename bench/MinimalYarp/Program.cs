using System.Globalization;
using System.Net;
using Yarp.ReverseProxy.Configuration;

// The smallest YARP reverse proxy: one catch-all route to one destination, logging off, YARP's defaults otherwise.
// Usage: minimal-yarp PORT BACKEND_URL
if (args.Length != 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: minimal-yarp PORT BACKEND_URL");
    return 2;
}

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});

builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["a"] = new() { Address = args[1] } } }]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
return 0;
