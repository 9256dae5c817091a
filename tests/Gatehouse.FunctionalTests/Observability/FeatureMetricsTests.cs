using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Observability;

/// <summary>The features' own metrics, read from <c>/metrics</c> after traffic that must move them.</summary>
public sealed class FeatureMetricsTests
{
    [Fact]
    public async Task RetriedRequest_CountsBothAttempts_TheRetry_AndDestinationGaugesAreExposed()
    {
        await using var bad = await TestBackend.StartAsync("bad", context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var good = await TestBackend.StartAsync("good");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(bad, good),
            "\"loadBalancingPolicy\": \"FirstAlphabetical\", \"healthCheck\": { \"passive\": { \"enabled\": false } }",
            routeExtra: ", \"rateLimit\": \"tight\"",
            rootExtra: ", \"admin\": { \"port\": 0 }, \"rateLimits\": { \"tight\": { \"algorithm\": \"fixedWindow\", \"permitLimit\": 1, \"window\": \"1h\" } }"));

        Assert.Equal("good", await proxy.Client.GetStringAsync("/x"));
        using (var limited = await proxy.Client.GetAsync("/y"))
        {
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        var text = await admin.GetStringAsync("/metrics");
        foreach (var line in new[]
        {
            "gatehouse_upstream_request_duration_seconds_count{cluster=\"c\",destination=\"bad\",outcome=\"retryable_status\",status_class=\"5xx\"} 1",
            "gatehouse_upstream_request_duration_seconds_count{cluster=\"c\",destination=\"good\",outcome=\"response\",status_class=\"2xx\"} 1",
            "gatehouse_upstream_retries_total{cluster=\"c\"} 1",
            "gatehouse_destination_health{check=\"passive\",cluster=\"c\",destination=\"bad\"} 0",
            "gatehouse_destination_requests_in_flight{cluster=\"c\",destination=\"good\"} 0",
            "http_server_request_duration_seconds_count{method=\"GET\",route=\"all\",status_class=\"2xx\"} 1",
            "gatehouse_config_generation 1",
            "gatehouse_rate_limit_refusals_total{policy=\"tight\",route=\"all\"} 1",
            "http_server_request_duration_seconds_count{method=\"GET\",route=\"all\",status_class=\"4xx\"} 1",
        })
        {
            Assert.Contains(line + "\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("\ndotnet_gc_collections_total", text, StringComparison.Ordinal);
        Assert.Contains("\nkestrel_active_connections{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionCutByTheHttp2FrameBudget_IsCountedByTheFrameThatSpentIt()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0, "protocols": "h2" } ],
              "admin": { "port": 0 },
              "limits": { "http2": { "maxControlFrames": 50, "controlFramesPerSecond": 0 } },
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """);
        await using (var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port, [], tls: false))
        {
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var end = attacker.ReadUntilClosedAsync(reading.Token);
            for (var i = 0; i < 100; i++)
            {
                attacker.PingFrame(i);
            }

            await attacker.FlushAsync();
            Assert.Equal(0xbu, (await end).GoAwayCode);
        }

        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        var text = await admin.GetStringAsync("/metrics");
        Assert.Contains("gatehouse_http2_budget_closes_total{frame=\"PING\"} 1\n", text, StringComparison.Ordinal);
    }
}
