using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Routing;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.Configuration;

/// <summary>One generation per request: a route's endpoint carries the settings of the generation that mapped it.</summary>
public class RouteGenerationTests
{
    private static GatehouseConfig WithBasicAuth(string routeId) => SampleConfig.Valid() with
    {
        Routes = new Dictionary<string, RouteDefinition>
        {
            [routeId] = SampleConfig.Route with
            {
                AccessControl = new RouteAccessControlDefinition
                {
                    BasicAuth = new BasicAuthDefinition { Users = new Dictionary<string, string> { ["alice"] = PasswordHash.Create("pw", iterations: 1_000) } },
                },
            },
        },
    };

    private static RouteConfig Mapped(GatehouseConfig config, string routeId, int revision) =>
        YarpConfigMapper.Map(config, revision).Routes.Single(r => r.RouteId == routeId);

    [Fact]
    public void Attach_GivesTheRouteTheSettingsOfItsOwnGeneration_NotTheOneInForce()
    {
        var holder = new GenerationHolder();
        var first = WithBasicAuth("secret");
        holder.Swap(GenerationCompiler.Compile(first, revision: 1));
        // The next generation renamed the route: the old endpoint must keep its basic auth, not fall back to globals.
        holder.Swap(GenerationCompiler.Compile(WithBasicAuth("renamed"), revision: 2));

        var runtime = holder.Attach(Mapped(first, "secret", 1));

        Assert.NotNull(runtime);
        Assert.Equal(1, runtime.Generation.Revision);
        Assert.NotNull(runtime.Get<RouteProtection>()!.BasicAuth);
        Assert.True(runtime.Get<RouteProtection>()!.HasRequestChecks);
    }

    [Fact]
    public void Attach_WithoutAKnownGeneration_GivesNothing()
    {
        var holder = new GenerationHolder();
        var config = WithBasicAuth("secret");
        holder.Swap(GenerationCompiler.Compile(config, revision: 1));
        for (var revision = 2; revision <= 20; revision++)
        {
            holder.Swap(GenerationCompiler.Compile(config, revision));
        }

        Assert.Null(holder.Attach(Mapped(config, "secret", 1)));
        Assert.Null(holder.Attach(YarpConfigMapper.Map(config).Routes.Single()));
        Assert.Null(holder.Attach(Mapped(config, "secret", 20) with { RouteId = "other" }));
        Assert.NotNull(holder.Attach(Mapped(config, "secret", 20)));
    }

    [Fact]
    public void ProtectionForAnUnknownRoute_IsNothing_NeverTheGlobalSettings()
    {
        var settings = GenerationCompiler.Compile(WithBasicAuth("secret")).Protection();

        Assert.Null(settings.ForRoute("gone"));
        Assert.NotNull(settings.ForRoute("SECRET"));
    }

    /// <summary>
    /// Runs the route-limits step (the first after routing) for a request that matched route "secret" of generation 1,
    /// its endpoint carrying that generation's runtime or not; returns whether the next step was reached.
    /// </summary>
    private static async Task<(bool Reached, HttpContext Context, RouteRuntime? Runtime)> AfterRoutingAsync(bool withGeneration)
    {
        var config = WithBasicAuth("secret");
        var holder = new GenerationHolder();
        holder.Swap(GenerationCompiler.Compile(config, revision: 1));
        var reached = false;
        var middleware = new RouteLimitsMiddleware(_ =>
        {
            reached = true;
            return Task.CompletedTask;
        }, holder, new ConfigSource(config, null), TimeProvider.System);
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        var mapped = Mapped(config, "secret", 1);
        var route = new RouteModel(mapped, cluster: null, Yarp.ReverseProxy.Forwarder.HttpTransformer.Empty);
        var runtime = withGeneration ? holder.Attach(mapped) : null;
        var metadata = runtime is null ? new EndpointMetadataCollection(route) : new EndpointMetadataCollection(route, runtime);
        context.SetEndpoint(new Endpoint(null, metadata, "secret"));

        await middleware.InvokeAsync(context);
        return (reached, context, runtime);
    }

    [Fact]
    public async Task ARouteEndpointWithoutItsGeneration_IsRefusedWith503_AndNeverReachesTheNextStep()
    {
        var (reached, context, _) = await AfterRoutingAsync(withGeneration: false);

        Assert.False(reached);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter);
    }

    [Fact]
    public async Task ARouteEndpointWithItsGeneration_GoesOn()
    {
        var (reached, context, runtime) = await AfterRoutingAsync(withGeneration: true);

        Assert.True(reached);
        Assert.NotNull(runtime);
        Assert.Same(runtime.Generation, RouteRuntime.Of(context)!.Generation);
    }
}
