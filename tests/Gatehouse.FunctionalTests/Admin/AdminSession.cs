using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Admin;

/// <summary>An admin API client for tests: drain, enable, status, with the test token.</summary>
internal sealed class AdminSession : IDisposable
{
    public const string Token = "let-me-in";

    /// <summary>Config JSON members (rootExtra) for an admin listener on port 0 with <see cref="Token"/>.</summary>
    public const string Config = ", \"admin\": { \"port\": 0, \"token\": \"" + Token + "\" }";

    private readonly HttpClient _client;

    public AdminSession(TestProxy proxy)
    {
        _client = new HttpClient { BaseAddress = proxy.AdminAddress };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>POSTs drain, disable or enable and returns the destination's state as the answer reports it.</summary>
    public async Task<string> SetAsync(string cluster, string destination, string action)
    {
        using var response = await _client.PostAsync($"/destinations/{cluster}/{destination}/{action}", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.GetProperty("destination").GetProperty("state").GetString()!;
    }

    /// <summary>The destination's state and requests in flight, from GET /status.</summary>
    public async Task<(string State, int InFlight, string Active, string Passive)> DestinationAsync(string cluster, string destination)
    {
        using var status = JsonDocument.Parse(await _client.GetStringAsync("/status"));
        var found = status.RootElement.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("id").GetString() == cluster)
            .GetProperty("destinations").EnumerateArray().Single(d => d.GetProperty("id").GetString() == destination);
        return (found.GetProperty("state").GetString()!, found.GetProperty("concurrentRequests").GetInt32(),
            found.GetProperty("active").GetString()!, found.GetProperty("passive").GetString()!);
    }

    public Task<HttpResponseMessage> PostAsync(string path) => _client.PostAsync(path, null);

    public Task<string> GetStringAsync(string path) => _client.GetStringAsync(path);

    public void Dispose() => _client.Dispose();
}
