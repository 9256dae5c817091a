using System.Net;
using Gatehouse.FunctionalTests.Grpc.Echo;
using Gatehouse.FunctionalTests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>
/// A real Grpc.AspNetCore service on Kestrel, 127.0.0.1 port 0, cleartext HTTP/2 only (h2c with prior knowledge, as a
/// gRPC service behind a TLS-terminating proxy runs): the Echo service and the standard grpc.health.v1 service.
/// </summary>
public sealed class GrpcBackend : IAsyncDisposable
{
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly WebApplication _app;

    private GrpcBackend(WebApplication app, EchoCalls calls, CountingHealthService health)
    {
        _app = app;
        Calls = calls;
        Health = health;
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
    }

    public int Port { get; }

    /// <summary>The address Gatehouse's cluster gives it.</summary>
    public string H2cAddress => $"h2c://127.0.0.1:{Port}";

    public EchoCalls Calls { get; }

    /// <summary>The health service's statuses; the whole server ("") and "gatehouse.test.Echo" start SERVING.</summary>
    public CountingHealthService Health { get; }

    public static async Task<GrpcBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxMessageBytes;
            o.MaxSendMessageSize = MaxMessageBytes;
        });
        var calls = new EchoCalls();
        var health = new CountingHealthService();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus("gatehouse.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(calls);
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton<HealthServiceImpl>(health);
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        return new GrpcBackend(app, calls, health);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The standard health service, counting the Check calls (Gatehouse's probes) so tests can wait for the next ones.</summary>
public sealed class CountingHealthService : HealthServiceImpl
{
    private readonly CountWatch _checks = new();

    public long Checks => _checks.Count;

    /// <summary>Completes once <paramref name="more"/> further probes have been answered.</summary>
    public Task WhenMoreChecks(int more) => _checks.WhenReaches(Checks + more);

    public override async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        try
        {
            return await base.Check(request, context);
        }
        finally
        {
            _checks.Increment();
        }
    }
}

/// <summary>What the service saw: each held call's cancellation, awaited by the tests.</summary>
public sealed class EchoCalls
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>A call with <c>hold</c> has reached the service.</summary>
    public Task Held => _held.Task;

    /// <summary>A held call's ServerCallContext.CancellationToken fired (the client's RST_STREAM or the deadline).</summary>
    public Task Cancelled => _cancelled.Task;

    internal void Counted() => Interlocked.Increment(ref _count);

    internal async Task HoldAsync(ServerCallContext context)
    {
        _held.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
    }
}

internal sealed class EchoService(EchoCalls calls) : Echo.Echo.EchoBase
{
    public override async Task<EchoReply> Unary(EchoRequest request, ServerCallContext context)
    {
        calls.Counted();
        if (request.Hold)
        {
            await calls.HoldAsync(context);
        }

        await context.WriteResponseHeadersAsync([new Metadata.Entry("x-echo-header", "unary")]);
        context.ResponseTrailers.Add("x-echo-trailer", "unary-done");
        Fail(request);
        return Reply(request, 0, context);
    }

    public override async Task ServerStream(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        calls.Counted();
        for (var i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(Reply(request, i, context));
        }

        if (request.Hold)
        {
            await calls.HoldAsync(context);
        }

        context.ResponseTrailers.Add("x-echo-trailer", $"sent-{request.Count}");
        Fail(request);
    }

    public override async Task<EchoReply> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        calls.Counted();
        var texts = new List<string>();
        long bytes = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            texts.Add(request.Text);
            bytes += request.Payload.Length;
        }

        context.ResponseTrailers.Add("x-echo-trailer", $"received-{texts.Count}-{bytes}");
        return new EchoReply { Text = string.Join(",", texts), Index = texts.Count, Protocol = context.GetHttpContext().Request.Protocol };
    }

    public override async Task Duplex(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
    {
        calls.Counted();
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (request.Hold)
            {
                await calls.HoldAsync(context);
            }

            await responseStream.WriteAsync(Reply(request, index++, context));
        }

        context.ResponseTrailers.Add("x-echo-trailer", $"echoed-{index}");
    }

    private static EchoReply Reply(EchoRequest request, int index, ServerCallContext context) =>
        new() { Text = request.Text, Index = index, Payload = request.Payload, Protocol = context.GetHttpContext().Request.Protocol };

    private static void Fail(EchoRequest request)
    {
        if (request.FailWith != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailWith, $"failed as asked: {request.Text}"),
                new Metadata { { "x-echo-trailer", "failed" } });
        }
    }
}
