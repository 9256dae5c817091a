using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Admin;

/// <summary>The admin API's read-only endpoints: effective config, certificates, liveness and readiness.</summary>
public sealed class RuntimeApiTests
{
    [Fact]
    public async Task Config_ShowsTheEffectiveConfig_WithEverySecretRedacted()
    {
        await using var a = await TestBackend.StartAsync("a");
        var hash = "$pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0$" + new string('A', 43);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a),
            routeExtra: $$$""", "accessControl": { "basicAuth": { "users": { "alice": "{{{hash}}}" } } }""",
            rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);

        var text = await admin.GetStringAsync("/config");

        using var answer = JsonDocument.Parse(text);
        var config = answer.RootElement.GetProperty("config");
        Assert.Equal("[redacted]", config.GetProperty("admin").GetProperty("token").GetString());
        Assert.Equal("[redacted]", config.GetProperty("routes").GetProperty("all").GetProperty("accessControl").GetProperty("basicAuth").GetProperty("users").GetProperty("alice").GetString());
        Assert.DoesNotContain(AdminSession.Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2", text, StringComparison.Ordinal);
        // Defaults are filled in (in a form the config accepts): the effective config, not the file.
        Assert.Equal("00:00:30", config.GetProperty("server").GetProperty("drainTimeout").GetString());
        Assert.Equal(a.Address.ToString(), config.GetProperty("clusters").GetProperty("c").GetProperty("destinations").GetProperty("a").GetProperty("address").GetString());
    }

    [Fact]
    public async Task Certificates_ListsHostsIssuerExpiryAndSource_AndReadyzIsReady()
    {
        await using var a = await TestBackend.StartAsync("a");
        var storage = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0, "tls": {} } ],
              "accessLog": { "enabled": false },
              "tls": { "internal": { "hosts": [ "localhost" ] }, "storage": "{{storage}}" },
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "a": { "address": "{{a.Address}}" } } } }
              {{AdminSession.Config}}
            }
            """);
        using var admin = new AdminSession(proxy);

        using var answer = JsonDocument.Parse(await admin.GetStringAsync("/certificates"));

        var certificate = Assert.Single(answer.RootElement.GetProperty("certificates").EnumerateArray());
        Assert.Equal(["localhost"], certificate.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("internal", certificate.GetProperty("source").GetString());
        Assert.Contains("Gatehouse", certificate.GetProperty("issuer").GetString(), StringComparison.Ordinal);
        Assert.InRange(certificate.GetProperty("daysLeft").GetDouble(), 1, 400);

        using var anonymous = new HttpClient { BaseAddress = proxy.AdminAddress };
        using var ready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"ready\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_AndReadyz_AnswerWithoutTheToken_EverythingElseNeedsIt()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        using var anonymous = new HttpClient { BaseAddress = proxy.AdminAddress };

        using (var healthz = await anonymous.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }

        using (var readyz = await anonymous.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        }

        foreach (var (method, path) in new[] { ("GET", "/config"), ("GET", "/certificates"), ("POST", "/destinations/c/a/drain") })
        {
            using var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var admin = new AdminSession(proxy);
        Assert.Equal("active", (await admin.DestinationAsync("c", "a")).State);
    }
}
