using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Http;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Gatehouse.Tests.Protection;

public class BackendResponseTransformTests
{
    [Fact]
    public async Task OnResponse_OrdinaryResponse_RemovesIdentityHeaders_AndAllocatesNothing()
    {
        var transform = Transform();
        var warmUp = Context();
        var measured = Context();

        await transform.OnResponse(warmUp);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var pending = transform.OnResponse(measured);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await pending;

        var headers = measured.HttpContext.Response.Headers;
        Assert.False(headers.ContainsKey("Server"));
        Assert.False(headers.ContainsKey("X-Powered-By"));
        Assert.False(headers.ContainsKey("X-Backend-Server"));
        Assert.Equal("no-cache", headers.CacheControl);
        Assert.Equal("yes", headers["X-App"]);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task OnResponse_SessionCookieWithoutDomain_AllocatesNothing()
    {
        var transform = Transform();
        var warmUp = Context(cookie: "sid=1; Path=/; HttpOnly");
        var measured = Context(cookie: "sid=1; Path=/; HttpOnly");

        await transform.OnResponse(warmUp);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var pending = transform.OnResponse(measured);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await pending;

        Assert.Equal("sid=1; Path=/; HttpOnly", measured.HttpContext.Response.Headers.SetCookie);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task OnResponse_RedirectToTheDestination_PointsAtThePublicHost_AndItsCookieLosesTheBackendDomain()
    {
        var context = Context(HttpStatusCode.Found, cookie: "sid=1; Domain=127.0.0.1; Path=/");
        context.HttpContext.Response.Headers.Location = "http://127.0.0.1:5001/login";
        context.ProxyResponse!.Headers.TryAddWithoutValidation("Location", "http://127.0.0.1:5001/login");
        context.HttpContext.Request.Scheme = "https";
        context.HttpContext.Request.Host = new HostString("shop.example");

        await Transform().OnResponse(context);

        Assert.Equal("https://shop.example/login", context.HttpContext.Response.Headers.Location);
        Assert.Equal("sid=1; Path=/", context.HttpContext.Response.Headers.SetCookie);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "text/html", null, true)]
    [InlineData(HttpStatusCode.InternalServerError, "text/html", "max-age=5, no-transform", false)]
    [InlineData(HttpStatusCode.InternalServerError, "application/json", null, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "text/html", null, false)]
    [InlineData(HttpStatusCode.NotFound, "text/html", null, false)]
    [InlineData(HttpStatusCode.NotFound, "application/json", null, false)]
    [InlineData(HttpStatusCode.OK, "text/html", null, false)]
    public async Task OnResponse_ErrorBodies_AreSuppressedForReplacement(HttpStatusCode status, string contentType, string? cacheControl, bool replaced)
    {
        var context = Context(status, contentType: contentType);
        if (cacheControl is not null)
        {
            context.HttpContext.Response.Headers.CacheControl = cacheControl;
        }

        await Transform().OnResponse(context);

        var state = context.HttpContext.Features.Get<ForwardingState>()!;
        Assert.Equal(replaced, context.SuppressResponseBody);
        Assert.Equal(replaced ? (int)status : null, state.ReplacedStatus);
        Assert.Equal(!replaced, context.HttpContext.Response.Headers.ContainsKey("Content-Type"));
    }

    private static BackendResponseTransform Transform()
    {
        var settings = new GenerationHolder();
        settings.Swap(GenerationCompiler.Compile(Gatehouse.Tests.Configuration.SampleConfig.Valid()));
        return new BackendResponseTransform(settings);
    }

    /// <summary>A response as YARP hands it to the transform: the backend's headers already copied to the client response.</summary>
    private static ResponseTransformContext Context(HttpStatusCode status = HttpStatusCode.OK, string? cookie = null, string contentType = "text/plain")
    {
        var backend = new HttpResponseMessage(status) { Content = new ByteArrayContent([1, 2, 3]) };
        backend.Headers.TryAddWithoutValidation("Server", "Apache/2.4.41");
        backend.Headers.TryAddWithoutValidation("X-Powered-By", "PHP/8.1");
        backend.Headers.TryAddWithoutValidation("X-Backend-Server", "web-07");
        backend.Headers.TryAddWithoutValidation("Cache-Control", "no-cache");
        backend.Headers.TryAddWithoutValidation("X-App", "yes");
        if (cookie is not null)
        {
            backend.Headers.TryAddWithoutValidation("Set-Cookie", cookie);
        }

        backend.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var context = new DefaultHttpContext();
        context.Response.StatusCode = (int)status;
        foreach (var header in backend.Headers.NonValidated)
        {
            context.Response.Headers[header.Key] = header.Value.ToString();
        }

        context.Response.Headers.ContentType = contentType;
        context.Features.Set(new ForwardingState());
        context.Features.Set<IReverseProxyFeature>(new ProxyFeature());
        return new ResponseTransformContext { HttpContext = context, ProxyResponse = backend, HeadersCopied = true };
    }

    /// <summary>The route and cluster of SampleConfig (route web, cluster api) as YARP's proxy feature names them.</summary>
    private sealed class ProxyFeature : IReverseProxyFeature
    {
        private static readonly ClusterModel ApiCluster = new(new ClusterConfig { ClusterId = "api" }, new HttpMessageInvoker(new SocketsHttpHandler()));

        public RouteModel Route { get; } = new(new RouteConfig { RouteId = "web", ClusterId = "api" }, null, HttpTransformer.Empty);

        public ClusterModel Cluster { get; set; } = ApiCluster;

        public IReadOnlyList<DestinationState> AllDestinations { get; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }
}
