using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gatehouse.Cli;

/// <summary>
/// The two built-in backends of <c>gatehouse demo</c>: small Kestrel apps on loopback that say who they are. They also
/// send a <c>Server</c> and an <c>X-Powered-By</c> header, which Gatehouse strips, so the demo shows that too.
/// </summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];

    public IReadOnlyList<(string Name, Uri Address)> Backends { get; private set; } = [];

    public static async Task<DemoBackends> StartAsync(int count, CancellationToken cancellationToken)
    {
        var demo = new DemoBackends();
        var backends = new List<(string, Uri)>();
        for (var i = 0; i < count; i++)
        {
            var name = $"backend-{(char)('a' + i)}";
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var served = 0L;
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.Map("/{**path}", (HttpContext context) =>
            {
                var n = Interlocked.Increment(ref served);
                context.Response.Headers["X-Powered-By"] = "DemoFramework/1.0";
                context.Response.Headers["X-Served-By"] = name;
                if (context.Request.Path.StartsWithSegments("/cached"))
                {
                    context.Response.Headers.CacheControl = "public, max-age=10";
                }

                return Results.Text($"Hello from {name}! You asked for {context.Request.Method} {context.Request.Path}{context.Request.QueryString}; this backend has served {n} request(s).\n");
            });
            await app.StartAsync(cancellationToken);
            demo._apps.Add(app);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            backends.Add((name, new Uri(address)));
        }

        demo.Backends = backends;
        return demo;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
