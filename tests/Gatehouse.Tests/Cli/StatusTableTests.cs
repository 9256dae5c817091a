using System.Text.Json;
using Gatehouse.Cli;

namespace Gatehouse.Tests.Cli;

public sealed class StatusTableTests
{
    [Fact]
    public void Status_AlignsRoutesAndDestinations_AndSummarizesTheCache()
    {
        using var status = JsonDocument.Parse("""
            {
              "revision": 4,
              "routes": [ { "id": "api", "cluster": "backend", "hosts": ["example.com"], "path": "/api", "methods": null, "cached": true } ],
              "clusters": [ { "id": "backend", "destinations": [
                { "id": "d1", "address": "http://10.0.0.1:8080/", "active": "Healthy", "passive": "Unknown", "concurrentRequests": 2, "state": "draining" },
                { "id": "second", "address": "http://10.0.0.2:8080/", "active": "Unhealthy", "passive": "Healthy", "concurrentRequests": 0, "state": "active" }
              ] } ],
              "cache": { "entries": 3, "bytes": 1536, "maxBytes": 268435456, "evictions": 1 }
            }
            """);

        var text = StatusTable.Status(status.RootElement);

        Assert.Equal("""
            Gatehouse config revision 4

            ROUTE  CLUSTER  HOSTS        PATH  METHODS  CACHED
            api    backend  example.com  /api           yes

            CLUSTER  DESTINATION  STATE     ACTIVE HEALTH  PASSIVE HEALTH  IN FLIGHT  ADDRESS
            backend  d1           draining  Healthy        Unknown         2          http://10.0.0.1:8080/
            backend  second       active    Unhealthy      Healthy         0          http://10.0.0.2:8080/

            cache: 3 entries, 1.5 KB of 256 MB, 1 evictions

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void ErrorLine_NamesWhatExists()
    {
        using var body = JsonDocument.Parse("""{ "error": "no destination 'zz' in cluster 'c'", "destinations": ["a", "b"] }""");
        Assert.Equal("no destination 'zz' in cluster 'c'; destinations: a, b", AdminCommands.ErrorLine(body.RootElement, 404));
    }

    [Theory]
    [InlineData("127.0.0.1:9901", "http://127.0.0.1:9901/")]
    [InlineData("http://[::1]:9901/status", "http://[::1]:9901/")]
    [InlineData("https://admin.example:443", "https://admin.example/")]
    [InlineData("ftp://x:1", null)]
    public void ParseAddress_AcceptsAddressPortOrUrl(string text, string? expected) =>
        Assert.Equal(expected, AdminClient.ParseAddress(text)?.ToString());
}
