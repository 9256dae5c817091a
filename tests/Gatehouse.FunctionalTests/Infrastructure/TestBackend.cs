using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A real Kestrel backend on 127.0.0.1. By default it answers every request with its name and counts what it served;
/// a test can give it any handler. It can be stopped and started again on the same port.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly RequestDelegate _handler;
    private WebApplication? _app;
    private readonly CountWatch _requests = new();

    private TestBackend(string name, RequestDelegate? handler)
    {
        Name = name;
        _handler = handler ?? (context => context.Response.WriteAsync(Name));
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>The loopback address it listens on: 127.0.0.1 unless another one of 127.0.0.0/8 was asked for.</summary>
    public IPAddress BindAddress { get; private init; } = IPAddress.Loopback;

    public Uri Address => new($"http://{BindAddress}:{Port}/");

    public long Requests => _requests.Count;

    /// <summary>Completes once this backend has received <paramref name="count"/> requests in all (since it was created).</summary>
    public Task WhenRequestsReach(long count) => _requests.WhenReaches(count);

    public bool IsRunning => _app is not null;

    public static async Task<TestBackend> StartAsync(string name, RequestDelegate? handler = null, int port = 0, IPAddress? address = null)
    {
        var backend = new TestBackend(name, handler) { Port = port, BindAddress = address ?? IPAddress.Loopback };
        await backend.StartAsync();
        return backend;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(BindAddress, Port));
        // As Gatehouse's own listeners (ListenBacklog): a test's burst of 1,000 upstream connections must not overflow the
        // accept queue, which would turn a slow accept into SYN retransmissions past the proxy's connect timeout.
        builder.WebHost.UseSockets(o => o.Backlog = Gatehouse.Hosting.ListenBacklog.Kernel());
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            _requests.Increment();

            context.Response.Headers["X-Backend"] = Name;
            await _handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>
    /// A port nothing listens on, for "backend is down" tests and for processes started on a port chosen beforehand;
    /// below the ephemeral range, so no outgoing connection of the test run takes it meanwhile (<see cref="Gatehouse.Acme.Tests.TestSupport.FreePorts"/>).
    /// </summary>
    public static int UnusedPort() => Gatehouse.Acme.Tests.TestSupport.FreePorts.Tcp();
}
