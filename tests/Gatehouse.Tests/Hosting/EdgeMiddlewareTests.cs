using System.Text;
using Gatehouse.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Tests.Hosting;

public class EdgeMiddlewareTests
{
    private static DefaultHttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/x";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task AnExceptionThrownByAStepBelow_BecomesThe500Page_WithoutItsText()
    {
        var context = Request();
        var edge = new EdgeMiddleware(_ => throw new InvalidOperationException("secret detail at /srv/app"), NullLogger<EdgeMiddleware>.Instance);

        await edge.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        Assert.StartsWith("500 Internal Server Error", Body(context));
        Assert.DoesNotContain("secret", Body(context));
        Assert.Equal("no-store", context.Response.Headers.CacheControl);
    }

    [Fact]
    public async Task ANormalAnswer_PassesThroughUntouched()
    {
        var context = Request();
        var edge = new EdgeMiddleware(c =>
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }, NullLogger<EdgeMiddleware>.Instance);

        await edge.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Equal("", Body(context));
    }
}
