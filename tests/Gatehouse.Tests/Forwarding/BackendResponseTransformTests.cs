using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Gatehouse.Tests.Forwarding;

public class BackendResponseTransformTests
{
    [Fact]
    public async Task OnResponse_OrdinaryResponse_RemovesIdentityHeaders_AndAllocatesNothing()
    {
        var settings = new RuntimeSettingsHolder();
        settings.Swap(RuntimeSettings.From(Configuration.SampleConfig.Valid()));
        var transform = new BackendResponseTransform(settings);
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

    /// <summary>A 200 as YARP hands it to the transform: the backend's headers already copied to the client response.</summary>
    private static ResponseTransformContext Context()
    {
        var backend = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) };
        backend.Headers.TryAddWithoutValidation("Server", "Apache/2.4.41");
        backend.Headers.TryAddWithoutValidation("X-Powered-By", "PHP/8.1");
        backend.Headers.TryAddWithoutValidation("X-Backend-Server", "web-07");
        backend.Headers.TryAddWithoutValidation("Cache-Control", "no-cache");
        backend.Headers.TryAddWithoutValidation("X-App", "yes");
        backend.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
        var context = new DefaultHttpContext();
        foreach (var header in backend.Headers.NonValidated)
        {
            context.Response.Headers[header.Key] = header.Value.ToString();
        }

        context.Response.Headers.ContentType = "text/plain";
        context.Features.Set(new ForwardingState());
        return new ResponseTransformContext { HttpContext = context, ProxyResponse = backend, HeadersCopied = true };
    }
}
