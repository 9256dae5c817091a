using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Hosting;
using Gatehouse.Http;
using Gatehouse.Http1;
using Gatehouse.Lifecycle;
using Gatehouse.Runtime;
using Gatehouse.Tests.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Tests.Forwarding;

/// <summary>
/// The lean path's direct head, response side: the backend's fields copied straight into Kestrel's response and the
/// route's response steps in their direct form end exactly where YARP's transformer ends with the HttpResponseMessage
/// shell the message path builds.
/// </summary>
public sealed class DirectResponseTests
{
    private const string Destination = "http://127.0.0.1:5001";

    public static TheoryData<string, string> Replies() => new()
    {
        { "plain", "HTTP/1.1 200 OK\r\nDate: Sun, 06 Dec 2026 04:00:00 GMT\r\nServer: Kestrel\r\nX-Powered-By: PHP/8.2\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nCache-Control: no-cache\r\n\r\n" },
        { "hop-by-hop", "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Internal\r\nX-Internal: 1\r\nKeep-Alive: timeout=5\r\nAlt-Svc: h3=\":443\"\r\nProxy-Authenticate: Basic\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\nX-App: yes\r\n\r\n" },
        { "cookies", "HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Domain=127.0.0.1; Path=/\r\nSet-Cookie: b=2\r\nVary: Accept\r\nVary: Cookie\r\nContent-Length: 0\r\n\r\n" },
        { "redirect", "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:5001/login\r\nContent-Location: http://127.0.0.1:5001/x\r\nRefresh: 0; url=http://127.0.0.1:5001/y\r\nContent-Length: 0\r\n\r\n" },
        { "sts", "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\nStrict-Transport-Security: max-age=2\r\nContent-Length: 0\r\n\r\n" },
        { "no-content", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nX-A: 1\r\n\r\n" },
        { "error-page", "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 20\r\nServer: nginx\r\n\r\n" },
        { "error-json", "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 2\r\nRetry-After: 5\r\n\r\n" },
        { "http10", "HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\nExpires: 0\r\nLast-Modified: Sun, 06 Dec 2026 04:00:00 GMT\r\nX-Empty:\r\n\r\n" },
        { "security-set-by-backend", "HTTP/1.1 200 OK\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nContent-Length: 0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task TheDirectResponse_EndsWhereTheMessagePathEnds(string name, string reply)
    {
        GatehouseConfig[] configs =
        [
            SampleConfig.Valid(),
            SampleConfig.Valid() with { HideBackend = new HideBackendDefinition { Via = "edge" } },
            // Content headers among those to hide: HttpClient keeps them apart, and the transform never sees them.
            SampleConfig.Valid() with { HideBackend = new HideBackendDefinition { RemoveHeaders = ["Server", "X-*", "Expires", "Content-Type"], KeepHeaders = ["X-App"] } },
        ];
        foreach (var config in configs)
        {
            using var route = Build(config);
            var head = Parse(reply);

            var (direct, directKept) = Direct(route, head, Context(name));
            var (message, messageKept) = await Message(route, head, Context(name));

            Assert.Equal(Describe(message, messageKept), Describe(direct, directKept));
        }
    }

    [Fact]
    public void HopByHopFields_AndThoseTheBackendNamedInConnection_NeverReachTheClient()
    {
        var headers = new HeaderDictionary();
        DirectResponseFields.CopyHead(Parse("HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nKeep-Alive: 5\r\nTransfer-Encoding: chunked\r\nX-Internal: 1\r\nX-App: 2\r\n\r\n"), headers);

        Assert.Equal(["X-App", "X-Internal"], headers.Keys.Order());
    }

    private static (HttpContext Context, bool BodyKept) Direct(BuiltRoute route, ResponseHead head, DefaultHttpContext context)
    {
        context.Features.Set<IReverseProxyFeature>(new ProxyFeature(route.Model));
        context.Response.StatusCode = head.StatusCode;
        DirectResponseFields.CopyHead(head, context.Response.Headers);
        var suppress = false;
        foreach (var step in route.Plan.Response)
        {
            step.OnDirectResponse(context, head, ref suppress);
        }

        return (context, !suppress);
    }

    private static async Task<(HttpContext Context, bool BodyKept)> Message(BuiltRoute route, ResponseHead head, DefaultHttpContext context)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Destination + "/");
        using var shell = LeanResponse.Shell(head, request);
        context.Features.Set<IReverseProxyFeature>(new ProxyFeature(route.Model));
        context.Response.StatusCode = head.StatusCode;
        var kept = await route.Model.Transformer.TransformResponseAsync(context, shell, CancellationToken.None);
        return (context, kept);
    }

    private static DefaultHttpContext Context(string name)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("shop.example");
        context.Features.Set(new ForwardingState { RetryStatuses = new[] { 503 }.ToFrozenSet() });
        context.Features.Get<ForwardingState>()!.RetryAllowed = name == "error-json";
        if (name == "sts")
        {
            context.Response.Headers.StrictTransportSecurity = "max-age=31536000";
        }

        return context;
    }

    private static string Describe(HttpContext context, bool bodyKept)
    {
        var state = context.Features.Get<ForwardingState>()!;
        var text = new StringBuilder($"{context.Response.StatusCode} kept={bodyKept} rejected={state.RejectedStatus} replaced={state.ReplacedStatus}");
        foreach (var (name, values) in context.Response.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            text.Append($"\n{name.ToLowerInvariant()}: [{string.Join("|", values.ToArray())}]");
        }

        return text.ToString();
    }

    private static ResponseHead Parse(string reply)
    {
        var parser = new ResponseHeadParser();
        parser.Reset(requestWasHead: false);
        var result = parser.Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(reply)));
        return result.Head ?? throw new InvalidOperationException(result.Error);
    }

    private static BuiltRoute Build(GatehouseConfig config)
    {
        var services = new ServiceCollection().AddLogging().AddRouting().AddGatehouseProxy().BuildServiceProvider();
        services.GetRequiredService<GenerationHolder>().Swap(GenerationCompiler.Compile(config));
        var routeConfig = YarpConfigMapper.MapRoute("web", config.Routes["web"]);
        var transformer = services.GetRequiredService<ITransformBuilder>().Build(routeConfig, YarpConfigMapper.MapCluster("api", config.Clusters["api"]));
        var model = new RouteModel(routeConfig, null, transformer);
        var plan = services.GetRequiredService<DirectHeadRoutes>().For(new ProxyFeature(model), transformer) ?? throw new InvalidOperationException("no direct plan");
        return new BuiltRoute(services, model, plan);
    }

    private sealed record BuiltRoute(ServiceProvider Services, RouteModel Model, DirectPlan Plan) : IDisposable
    {
        public void Dispose() => Services.Dispose();
    }

    private sealed class ProxyFeature(RouteModel route) : IReverseProxyFeature
    {
        public RouteModel Route { get; } = route;

        public ClusterModel Cluster { get; set; } = new(new ClusterConfig { ClusterId = "api" }, new HttpMessageInvoker(new SocketsHttpHandler()));

        public IReadOnlyList<DestinationState> AllDestinations { get; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }
}
