using System.Buffers;
using System.Net;
using System.Text;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Http1;
using Gatehouse.Hosting;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
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
/// The lean path's direct head: what goes upstream for a given request, written from Kestrel's headers by the route's
/// transforms in their direct form, and the proof that it is what the message path (YARP's transformer on an
/// HttpRequestMessage) sends for the same request.
/// </summary>
public sealed class DirectHeadTests
{
    private const string Prefix = "http://10.0.0.5:8080";
    private const string BackendHost = "10.0.0.5:8080";

    [Fact]
    public void TheDefaultRoute_HasADirectPlan_OfGatehousesOwnTransforms()
    {
        using var route = Route.Build(SampleConfig.Valid());

        Assert.NotNull(route.Plan);
        Assert.Equal(["ConnectionHeaderTransform", "ViaRequestTransform", "ForwardedHeadersStep"], route.Plan.Request.Select(s => s.GetType().Name));
        Assert.Equal(["BackendResponseTransform", "SecurityHeadersStep"], route.Plan.Response.Select(s => s.GetType().Name));
    }

    [Theory]
    [InlineData("RequestHeader", "X-A", "Set", "1")]
    [InlineData("RequestHeaderOriginalHost", "true", null, null)]
    [InlineData("X-Forwarded", "Set", null, null)]
    [InlineData("PathPrefix", "/api", null, null)]
    [InlineData("ResponseHeader", "X-B", "Append", "2")]
    public void ARouteWithTransformsOfItsOwn_KeepsTheMessagePath(string key, string value, string? key2, string? value2)
    {
        var transform = new Dictionary<string, string> { [key] = value };
        if (key2 is not null)
        {
            transform[key2] = value2!;
        }

        using var route = Route.Build(SampleConfig.Valid(SampleConfig.Route with { Transforms = [transform] }));

        Assert.Null(route.Plan);
    }

    [Fact]
    public void APlan_IsUsedOnlyWithTheTransformerItWasMadeFor()
    {
        using var route = Route.Build(SampleConfig.Valid());
        var routes = route.Services.GetRequiredService<DirectHeadRoutes>();

        Assert.Same(route.Plan, routes.For(new ProxyFeature(route.Model), route.Transformer));
        Assert.Null(routes.For(new ProxyFeature(route.Model), HttpTransformer.Empty));
        Assert.Null(routes.For(null, route.Transformer));
    }

    [Fact]
    public void AForwardRawPathRoute_HasADirectPlan_ThatSendsThePathAsSpelled()
    {
        using var route = Route.Build(SampleConfig.Valid(SampleConfig.Route with { ForwardRawPath = true }));
        var context = Get("/caf%C3%A9/%7euser");
        var request = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!;
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>(new RawTargetFeature(request, "/caf%c3%a9/%7euser?x=1"));
        context.Request.Path = "/caf\u00e9/~user";
        context.Request.QueryString = new QueryString("?x=1");

        Assert.Equal("GET /caf%c3%a9/%7euser?x=1 HTTP/1.1", route.DirectHead(context, hasBody: false).Split("\r\n")[0]);
        using var canonical = Route.Build(SampleConfig.Valid());
        Assert.Equal("GET /caf%C3%A9/~user?x=1 HTTP/1.1", canonical.DirectHead(context, hasBody: false).Split("\r\n")[0]);
    }

    [Fact]
    public void BothFramingFieldsFromTheClient_AreNeverForwarded_OnlyGatehousesOwn()
    {
        using var route = Route.Build(SampleConfig.Valid());
        var context = Get("/upload", "POST");
        context.Request.Headers.ContentLength = 5;
        context.Request.Headers.TransferEncoding = "chunked";

        var sized = Lines(route.DirectHead(context, hasBody: true));
        context.Request.Headers.ContentLength = null;
        var chunked = Lines(route.DirectHead(context, hasBody: true));

        Assert.Equal(["content-length: 5"], sized.Where(IsFraming));
        Assert.Equal(["transfer-encoding: chunked"], chunked.Where(IsFraming));
        static bool IsFraming(string line) => line.StartsWith("content-length:", StringComparison.Ordinal) || line.StartsWith("transfer-encoding:", StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsTheClientNamedInConnection_AndHopByHopFields_AreNotForwarded()
    {
        using var route = Route.Build(SampleConfig.Valid());
        var context = Get("/");
        context.Request.Headers.Connection = "X-Secret, Keep-Alive";
        context.Request.Headers["X-Secret"] = "token";
        context.Request.Headers["Keep-Alive"] = "timeout=5";
        context.Request.Headers["Proxy-Authorization"] = "Basic eA==";
        context.Request.Headers["TE"] = "trailers";
        context.Request.Headers["Upgrade-Insecure-Requests"] = "1";
        context.Request.Headers["X-Kept"] = "yes";

        var lines = Lines(route.DirectHead(context, hasBody: false));

        Assert.Contains("x-kept: yes", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("x-secret", StringComparison.Ordinal) || l.StartsWith("keep-alive", StringComparison.Ordinal)
            || l.StartsWith("connection", StringComparison.Ordinal) || l.StartsWith("proxy-authorization", StringComparison.Ordinal)
            || l.StartsWith("te:", StringComparison.Ordinal) || l.StartsWith("upgrade-insecure-requests", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutTrustedProxies_TheClientsForwardingHeadersAreReplaced_ByThePeer()
    {
        using var route = Route.Build(SampleConfig.Valid());
        var context = Get("/");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.9";
        context.Request.Headers["Forwarded"] = "for=198.51.100.9";
        context.Request.Headers["X-Forwarded-Host"] = "evil.example";

        var lines = Lines(route.DirectHead(context, hasBody: false));

        Assert.Equal(["x-forwarded-for: 203.0.113.7", "x-forwarded-host: shop.example", "x-forwarded-proto: http"], lines.Where(l => l.StartsWith("x-forwarded", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(lines, l => l.StartsWith("forwarded", StringComparison.Ordinal));
    }

    [Fact]
    public void FromATrustedProxy_XForwardedForCarriesTheCheckedChain()
    {
        using var route = Route.Build(SampleConfig.Valid() with { TrustedProxies = ["203.0.113.0/24"] });
        var context = Get("/");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.9";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Features.Set(ClientIdentityResolver.Resolve(context.Connection.RemoteIpAddress!, IpNetworkList.From(["203.0.113.0/24"]),
            default, context.Request.Headers["X-Forwarded-For"], context.Request.Headers["X-Forwarded-Proto"], default));

        var lines = Lines(route.DirectHead(context, hasBody: false));

        Assert.Contains("x-forwarded-for: 198.51.100.9, 203.0.113.7", lines);
        Assert.Contains("x-forwarded-proto: https", lines);
    }

    [Fact]
    public void ViaIsAppendedToTheClients_AndRepeatedValuesAreJoinedAsHttpClientJoinsThem()
    {
        using var route = Route.Build(SampleConfig.Valid() with { HideBackend = new HideBackendDefinition { Via = "edge" } });
        var context = Get("/");
        context.Request.Headers.Via = "1.0 corp";
        context.Request.Headers.Cookie = new Microsoft.Extensions.Primitives.StringValues(["a=1", "b=2"]);
        context.Request.Headers.Accept = new Microsoft.Extensions.Primitives.StringValues(["text/html", "*/*"]);

        var lines = Lines(route.DirectHead(context, hasBody: false));

        Assert.Contains("via: 1.0 corp, 1.1 edge", lines);
        Assert.Contains("cookie: a=1; b=2", lines);
        Assert.Contains("accept: text/html, */*", lines);
    }

    [Fact]
    public void AValueBeyondLatin1_IsRefusedBeforeAnyByteIsWritten()
    {
        using var route = Route.Build(SampleConfig.Valid());
        var context = Get("/");
        context.Request.Headers["X-Name"] = "\u20ac";

        var (error, written) = route.TryDirectHead(context, hasBody: false);

        Assert.Contains("beyond Latin-1", error);
        Assert.Equal("", written);
    }

    public static TheoryData<string> Requests() => ["plain", "post", "both-framings", "connection", "forwarding", "h2-te", "via", "trusted", "path", "path-base", "newline", "cookies"];

    /// <summary>Both paths, the same request: the request line, Host and the same fields (names compared without case, order aside).</summary>
    [Theory]
    [MemberData(nameof(Requests))]
    public async Task TheDirectHead_SendsWhatTheMessagePathSends(string name)
    {
        var config = name switch
        {
            "via" => SampleConfig.Valid() with { HideBackend = new HideBackendDefinition { Via = "edge" } },
            "trusted" => SampleConfig.Valid() with { TrustedProxies = ["203.0.113.0/24"] },
            _ => SampleConfig.Valid(),
        };
        using var route = Route.Build(config);

        var direct = Canonical(route.DirectHead(Request(name), HasBody(name)));
        var message = Canonical(await route.MessageHead(Request(name), HasBody(name)));

        Assert.Equal(message, direct);
    }

    private static bool HasBody(string name) => name is "post" or "both-framings";

    private static DefaultHttpContext Request(string name)
    {
        var context = Get("/items/42");
        var headers = context.Request.Headers;
        headers.Accept = "application/json";
        headers.UserAgent = "test/1.0";
        switch (name)
        {
            case "post":
                context.Request.Method = "POST";
                headers.ContentLength = 12;
                headers.ContentType = "application/json";
                break;
            case "both-framings":
                context.Request.Method = "PUT";
                headers.ContentLength = 12;
                headers.TransferEncoding = "chunked";
                break;
            case "connection":
                headers.Connection = "X-Secret, close";
                headers["X-Secret"] = "1";
                headers["Proxy-Connection"] = "keep-alive";
                headers["Alt-Svc"] = "h3";
                break;
            case "forwarding":
                headers["X-Forwarded-For"] = "198.51.100.9";
                headers["X-Forwarded-Prefix"] = "/x";
                headers["Forwarded"] = "for=198.51.100.9;proto=https";
                break;
            case "h2-te":
                context.Request.Protocol = "HTTP/2";
                headers["TE"] = "trailers";
                break;
            case "via":
                headers.Via = "1.0 corp";
                break;
            case "trusted":
                headers["X-Forwarded-For"] = "198.51.100.9";
                context.Features.Set(ClientIdentityResolver.Resolve(context.Connection.RemoteIpAddress!, IpNetworkList.From(["203.0.113.0/24"]),
                    default, headers["X-Forwarded-For"], default, default));
                break;
            case "path":
                context.Request.Path = "/caf\u00e9/a b/x@y:z";
                context.Request.QueryString = new QueryString("?q=a%20b&r=(1)");
                break;
            case "path-base":
                context.Request.PathBase = "/shop";
                break;
            case "newline":
                headers["X-Bad"] = "a\r\nX-Injected: 1";
                break;
            case "cookies":
                headers.Cookie = new Microsoft.Extensions.Primitives.StringValues(["a=1", "b=2"]);
                headers["X-Many"] = new Microsoft.Extensions.Primitives.StringValues(["1", "2", "3"]);
                break;
        }

        return context;
    }

    private static DefaultHttpContext Get(string path, string method = "GET")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("shop.example");
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        return context;
    }

    private static string[] Lines(string head) =>
        head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l[..l.IndexOf(':')].ToLowerInvariant() + l[l.IndexOf(':')..]).ToArray();

    /// <summary>The request line, then each field line with its name in lower case, sorted.</summary>
    private static string Canonical(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Take(1).Concat(Lines(head).Order(StringComparer.Ordinal)));
    }

    /// <summary>A route as YARP builds it with Gatehouse's services: its transformer and the direct plan kept for it.</summary>
    private sealed class Route : IDisposable
    {
        private Route(ServiceProvider services, RouteModel model, DirectPlan? plan)
        {
            Services = services;
            Model = model;
            Plan = plan;
        }

        public ServiceProvider Services { get; }

        public RouteModel Model { get; }

        public HttpTransformer Transformer => Model.Transformer;

        public DirectPlan? Plan { get; }

        public static Route Build(GatehouseConfig config)
        {
            var services = new ServiceCollection().AddLogging().AddRouting().AddGatehouseProxy().BuildServiceProvider();
            services.GetRequiredService<GenerationHolder>().Swap(GenerationCompiler.Compile(config));
            var routeConfig = YarpConfigMapper.MapRoute("web", config.Routes["web"]);
            var transformer = services.GetRequiredService<ITransformBuilder>().Build(routeConfig, YarpConfigMapper.MapCluster("api", config.Clusters["api"]));
            var model = new RouteModel(routeConfig, null, transformer);
            return new Route(services, model, services.GetRequiredService<DirectHeadRoutes>().For(new ProxyFeature(model), transformer));
        }

        public string DirectHead(HttpContext context, bool hasBody)
        {
            var (error, written) = TryDirectHead(context, hasBody);
            Assert.Null(error);
            return written;
        }

        public (string? Error, string Written) TryDirectHead(HttpContext context, bool hasBody)
        {
            var fields = DirectRequestFields.Rent(context, Prefix);
            try
            {
                Assert.True(LeanForwarder.ApplyRequestSteps(Plan!, fields));
                var request = LeanForwarder.DirectRequest(context, fields, Prefix, BackendHost, hasBody);
                return Write(request);
            }
            finally
            {
                fields.Return();
            }
        }

        public async Task<string> MessageHead(HttpContext context, bool hasBody)
        {
            using var message = new HttpRequestMessage { Method = HttpMethod.Parse(context.Request.Method), Version = HttpVersion.Version11, Content = hasBody ? new HeaderShellContent() : null };
            await Transformer.TransformRequestAsync(context, message, Prefix, CancellationToken.None);
            var destination = message.RequestUri ??= RequestUtilities.MakeDestinationAddress(Prefix, context.Request.Path, context.Request.QueryString);
            var (error, written) = Write(LeanRequest.Build(context, message, destination, BackendHost, hasBody));
            Assert.Null(error);
            return written;
        }

        private static (string? Error, string Written) Write(Gatehouse.Upstream.UpstreamRequest request)
        {
            var output = new ArrayBufferWriter<byte>();
            var error = RequestHeadWriter.Write(output, request.Method, request.Target, request.Host, request.Fields, request.BodyFraming, request.ContentLength);
            return (error, Encoding.Latin1.GetString(output.WrittenSpan));
        }

        public void Dispose() => Services.Dispose();
    }

    private sealed class ProxyFeature(RouteModel route) : IReverseProxyFeature
    {
        public RouteModel Route { get; } = route;

        public ClusterModel Cluster { get; set; } = null!;

        public IReadOnlyList<DestinationState> AllDestinations { get; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }

    private sealed class RawTargetFeature(Microsoft.AspNetCore.Http.Features.IHttpRequestFeature inner, string rawTarget) : Microsoft.AspNetCore.Http.Features.IHttpRequestFeature
    {
        public string Protocol { get => inner.Protocol; set => inner.Protocol = value; }
        public string Scheme { get => inner.Scheme; set => inner.Scheme = value; }
        public string Method { get => inner.Method; set => inner.Method = value; }
        public string PathBase { get => inner.PathBase; set => inner.PathBase = value; }
        public string Path { get => inner.Path; set => inner.Path = value; }
        public string QueryString { get => inner.QueryString; set => inner.QueryString = value; }
        public string RawTarget { get; set; } = rawTarget;
        public IHeaderDictionary Headers { get => inner.Headers; set => inner.Headers = value; }
        public Stream Body { get => inner.Body; set => inner.Body = value; }
    }
}
