using Gatehouse.FunctionalTests.Grpc.Echo;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Grpc.Core;
using Grpc.Health.V1;

namespace Gatehouse.FunctionalTests.Grpc;

/// <summary>
/// A gRPC service's own health (grpc.health.v1) as the cluster's active health check, and Gatehouse's own failures
/// told to gRPC clients as gRPC statuses (trailers-only answers), not as HTTP error pages.
/// </summary>
public sealed class GrpcHealthAndFailureTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    private static CancellationToken Test => TestContext.Current.CancellationToken;

    private string Config(string address, string cluster = "") => _pki.WithTls($$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": { "grpc": { "clusterId": "echo", "match": { "pathPrefix": "/" } } },
          "clusters": { "echo": { {{cluster}} "destinations": { "d1": { "address": "{{address}}" } } } }
        }
        """);

    [Fact]
    public async Task GrpcHealthCheck_TakesANotServingServiceOutAndBringsItBack()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend.H2cAddress, """
            "healthCheck": {
              "whenAllUnhealthy": "fail",
              "active": { "enabled": true, "interval": "200ms", "unhealthyThreshold": 1, "healthyThreshold": 1, "grpc": { "service": "gatehouse.test.Echo" } }
            },
            """));
        using var channel = GrpcChannels.Tls(proxy.Address, _pki);
        var client = new Echo.Echo.EchoClient(channel);
        await backend.Health.WhenMoreChecks(2).WaitAsync(TimeSpan.FromSeconds(10), Test);
        Assert.Equal("up", (await client.UnaryAsync(new EchoRequest { Text = "up" }, cancellationToken: Test)).Text);

        backend.Health.SetStatus("gatehouse.test.Echo", HealthCheckResponse.Types.ServingStatus.NotServing);
        await backend.Health.WhenMoreChecks(3).WaitAsync(TimeSpan.FromSeconds(10), Test);
        var served = backend.Calls.Count;

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { Text = "down" }, cancellationToken: Test));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode); // Gatehouse's 503, as gRPC says it
        Assert.Equal(served, backend.Calls.Count);

        backend.Health.SetStatus("gatehouse.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
        await backend.Health.WhenMoreChecks(3).WaitAsync(TimeSpan.FromSeconds(10), Test);
        Assert.Equal("back", (await client.UnaryAsync(new EchoRequest { Text = "back" }, cancellationToken: Test)).Text);
    }

    [Fact]
    public async Task GrpcHealthCheck_AnUnknownServiceIsUnhealthy()
    {
        await using var backend = await GrpcBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend.H2cAddress, """
            "healthCheck": {
              "whenAllUnhealthy": "fail",
              "active": { "enabled": true, "interval": "200ms", "unhealthyThreshold": 1, "grpc": { "service": "no.such.Service" } }
            },
            """));
        using var channel = GrpcChannels.Tls(proxy.Address, _pki);
        var client = new Echo.Echo.EchoClient(channel);

        // The service answers NOT_FOUND as a trailers-only response: not healthy.
        await backend.Health.WhenMoreChecks(3).WaitAsync(TimeSpan.FromSeconds(10), Test);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { Text = "x" }, cancellationToken: Test));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(0, backend.Calls.Count);
    }

    [Fact]
    public async Task NoBackend_IsUnavailableWithTheRequestId_NotAnErrorPage()
    {
        await using var proxy = await TestProxy.StartAsync(Config($"h2c://127.0.0.1:{TestBackend.UnusedPort()}", """
            "retry": { "enabled": false },
            """));
        using var channel = GrpcChannels.Tls(proxy.Address, _pki);
        var client = new Echo.Echo.EchoClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { Text = "x" }, cancellationToken: Test));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith("502 Bad Gateway", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Request id: ", error.Status.Detail, StringComparison.Ordinal);
    }
}
