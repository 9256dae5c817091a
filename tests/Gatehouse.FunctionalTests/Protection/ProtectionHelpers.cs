using System.Net.Http.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Protection;

internal static class ProtectionHelpers
{
    /// <summary>A backend that answers with the request headers it received, as JSON (lower-case names).</summary>
    public static readonly RequestDelegate EchoHeaders = async context =>
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        await context.Response.WriteAsJsonAsync(headers);
    };

    public static async Task<Dictionary<string, string>> EchoedAsync(HttpResponseMessage response)
    {
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!;
    }

    /// <summary>Every address the proxy is bound to (listeners in config order).</summary>
    public static IReadOnlyList<Uri> Addresses(TestProxy proxy) =>
        proxy.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    public static HttpClient ClientFor(Uri address) => new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>One catch-all route "all" to cluster "c"; members are JSON text starting with a comma.</summary>
    public static string Config(TestBackend backend, string routeExtra = "", string rootExtra = "") =>
        Configs.SingleCluster(Configs.Destinations(backend), routeExtra: routeExtra, rootExtra: rootExtra);
}
