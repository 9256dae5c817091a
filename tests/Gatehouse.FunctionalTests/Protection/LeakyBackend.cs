using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// A real Kestrel on 127.0.0.1 that gives itself away in every way a careless deployment does: its software in headers
/// (Kestrel's own Server header included), its address in Location, Content-Location, Refresh and cookie domains, a
/// stack trace in its 500s (ASP.NET Core's developer exception page), and the framework's default status-code pages.
/// </summary>
internal sealed class LeakyBackend : IAsyncDisposable
{
    public const string StackFrameMarker = "LeakyBackend.Crash";

    private readonly WebApplication _app;

    private LeakyBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>How the backend writes its own address; it must never reach a client.</summary>
    public string Authority => $"127.0.0.1:{Port}";

    public string Address => $"http://{Authority}";

    /// <summary>Texts that reveal the backend; none may appear anywhere in a response through Gatehouse.</summary>
    public IReadOnlyList<string> Secrets =>
    [
        Authority, "Kestrel", "Apache/2.4.41", "Express", "4.0.30319", "5.2.7-leak", "web-07.internal", "varnish",
        StackFrameMarker, "InvalidOperationException", "Status Code: 404", "Cannot GET",
    ];

    public static async Task<LeakyBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var port = 0;
        app.Use((context, next) =>
        {
            // Added when the response starts, so that even the framework's error pages (which clear headers) carry them.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers["X-Powered-By"] = "Express";
                headers["X-AspNet-Version"] = "4.0.30319";
                headers["X-AspNetMvc-Version"] = "5.2.7-leak";
                headers["X-Backend-Server"] = "web-07.internal";
                headers["Via"] = "1.1 varnish";
                headers["X-Echo-Via"] = context.Request.Headers.Via.ToString();
                headers["X-App"] = "kept";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseDeveloperExceptionPage();
        app.UseStatusCodePages();
        app.Run(context => Answer(context, port));
        await app.StartAsync();
        port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new LeakyBackend(app, port);
    }

    private static Task Answer(HttpContext context, int port)
    {
        var self = $"http://127.0.0.1:{port}";
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/ok":
                return response.WriteAsync("hello");
            case "/redirect":
                response.StatusCode = StatusCodes.Status302Found;
                response.Headers.Location = $"{self}/login?next=%2Fok";
                return Task.CompletedTask;
            case "/created":
                response.StatusCode = StatusCodes.Status201Created;
                response.Headers.Location = $"{self}/items/7";
                response.Headers.ContentLocation = $"{self}/items/7";
                return response.WriteAsync("created");
            case "/refresh":
                response.Headers["Refresh"] = $"3; url={self}/next";
                return response.WriteAsync("wait");
            case "/cookie":
                response.Headers.SetCookie = new[] { "sid=abc; Domain=127.0.0.1; Path=/; HttpOnly", "theme=dark; Path=/" };
                return response.WriteAsync("cookies");
            case "/crash":
                Crash();
                return Task.CompletedTask;
            case "/api-crash":
                response.StatusCode = StatusCodes.Status500InternalServerError;
                return response.WriteAsJsonAsync(new { error = "boom", stackTrace = $"System.InvalidOperationException at {StackFrameMarker}() via {self}" });
            case "/crash-page":
                // A framework's own 500 page, with caching headers an operator set on errors.
                response.StatusCode = StatusCodes.Status500InternalServerError;
                response.ContentType = "text/html; charset=utf-8";
                response.Headers.CacheControl = "max-age=5";
                return response.WriteAsync($"<html><body><pre>System.InvalidOperationException: boom\n   at {StackFrameMarker}() in /srv/app/Crash.cs:line 7</pre></body></html>");
            case "/no-transform-500":
                // The backend forbids intermediaries to transform this representation (RFC 9110 §7.7).
                response.StatusCode = StatusCodes.Status500InternalServerError;
                response.ContentType = "text/html";
                response.Headers.CacheControl = "no-store, no-transform";
                return response.WriteAsync(NoTransformPage);
            case "/unavailable":
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                response.Headers.RetryAfter = "120";
                return response.WriteAsync($"Service Unavailable at {self} (Apache/2.4.41)");
            case "/apache-404":
                response.StatusCode = StatusCodes.Status404NotFound;
                response.ContentType = "text/html; charset=iso-8859-1";
                return response.WriteAsync($"<!DOCTYPE HTML><html><body><h1>Not Found</h1><pre>Cannot GET /apache-404</pre><address>Apache/2.4.41 (Ubuntu) Server at {self}</address></body></html>");
            case "/api-404":
                response.StatusCode = StatusCodes.Status404NotFound;
                return response.WriteAsJsonAsync(new { error = "no such order" });
            case "/form-422":
                response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                response.ContentType = "text/html";
                return response.WriteAsync("<form>email is required</form>");
            default:
                // Nothing written: ASP.NET Core's status-code pages answer with their default text.
                response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
        }
    }

    /// <summary>The body of <c>/no-transform-500</c>, which must reach the client byte for byte.</summary>
    public const string NoTransformPage = "<html><body><h1>We broke something</h1><p>Our team has been told.</p></body></html>";

    private static void Crash() => throw new InvalidOperationException($"boom in {StackFrameMarker}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
