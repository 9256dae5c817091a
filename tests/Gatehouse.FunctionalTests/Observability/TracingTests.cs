using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Observability;

/// <summary>
/// Tracing end to end: a span per request and per upstream attempt exported over OTLP/HTTP to a receiver on loopback,
/// <c>traceparent</c> at the backends, and the trace id in the access log.
/// </summary>
public sealed class TracingTests
{
    private const int ServerKind = 2;
    private const int ClientKind = 3;

    private static string Config(TestBackend bad, TestBackend good, OtlpReceiver receiver, string accessLog) => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "format": "json", "path": "{{accessLog}}", "flushInterval": "0s" },
          "tracing": { "enabled": true, "otlp": { "endpoint": "{{receiver.Address}}" } },
          "routes": { "shop": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": {
            "c": {
              "loadBalancingPolicy": "FirstAlphabetical",
              "healthCheck": { "passive": { "enabled": false } },
              "destinations": {
                "bad": { "address": "{{bad.Address}}" },
                "good": { "address": "{{good.Address}}" }
              }
            }
          }
        }
        """;

    [Fact]
    public async Task RetriedRequest_ExportsTheRequestSpanWithTwoAttemptSpans_BackendsGetTraceparent_AccessLogHasTheTraceId()
    {
        var traceparents = new ConcurrentDictionary<string, string>();
        await using var receiver = await OtlpReceiver.StartAsync();
        // "bad" comes first alphabetically: the first attempt gets its 503 (retryable), the retry goes to "good".
        await using var bad = await TestBackend.StartAsync("bad", context =>
        {
            traceparents["bad"] = context.Request.Headers.TraceParent.ToString();
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        await using var good = await TestBackend.StartAsync("good", context =>
        {
            traceparents["good"] = context.Request.Headers.TraceParent.ToString();
            return context.Response.WriteAsync("good");
        });
        var accessLog = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N") + ".log");
        var proxy = await TestProxy.StartAsync(Config(bad, good, receiver, accessLog));
        try
        {
            using var response = await proxy.Client.GetAsync("/cart");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("good", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            // Stopping flushes the span batch and the access log.
            await proxy.DisposeAsync();
        }

        var spans = await receiver.WaitForAsync(s => s.Count(x => x.Kind == ClientKind) >= 2 && s.Any(x => x.Kind == ServerKind));
        var request = Assert.Single(spans, s => s.Kind == ServerKind);
        var attempts = spans.Where(s => s.Kind == ClientKind).OrderBy(s => s.Attributes["gatehouse.attempt"], StringComparer.Ordinal).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a =>
        {
            Assert.Equal(request.TraceId, a.TraceId);
            Assert.Equal(request.SpanId, a.ParentSpanId);
        });
        Assert.Equal(("bad", "retryable_status", "true"), (attempts[0].Attributes["gatehouse.destination"], attempts[0].Attributes["gatehouse.outcome"], attempts[0].Attributes["gatehouse.retrying"]));
        Assert.Equal(("good", "response", "false"), (attempts[1].Attributes["gatehouse.destination"], attempts[1].Attributes["gatehouse.outcome"], attempts[1].Attributes["gatehouse.retrying"]));
        Assert.Equal("shop", request.Attributes["http.route"]);
        Assert.Equal("200", request.Attributes["http.response.status_code"]);

        // Each backend saw the span of the attempt that reached it as the parent (W3C: version-traceid-parentid-flags).
        AssertTraceparent(request.TraceId, attempts[0].SpanId, traceparents["bad"]);
        AssertTraceparent(request.TraceId, attempts[1].SpanId, traceparents["good"]);

        var line = Assert.Single(await File.ReadAllLinesAsync(accessLog));
        using var entry = JsonDocument.Parse(line);
        Assert.Equal(request.TraceId, entry.RootElement.GetProperty("trace_id").GetString());
        Assert.Equal(request.Attributes["gatehouse.request_id"], entry.RootElement.GetProperty("request_id").GetString());
        Assert.Equal(2, entry.RootElement.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task RequestWithTraceparent_ContinuesTheClientsTrace()
    {
        string? seen = null;
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var backend = await TestBackend.StartAsync("good", context =>
        {
            seen = context.Request.Headers.TraceParent.ToString();
            return Task.CompletedTask;
        });
        var accessLog = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N") + ".log");
        var proxy = await TestProxy.StartAsync(Config(backend, backend, receiver, accessLog));
        const string clientTrace = "0af7651916cd43dd8448eb211c80319c";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("traceparent", $"00-{clientTrace}-b7ad6b7169203331-01");
            using var response = await proxy.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        var spans = await receiver.WaitForAsync(s => s.Any(x => x.Kind == ServerKind) && s.Any(x => x.Kind == ClientKind));
        var server = Assert.Single(spans, s => s.Kind == ServerKind);
        Assert.Equal((clientTrace, "b7ad6b7169203331"), (server.TraceId, server.ParentSpanId));
        var attempt = Assert.Single(spans, s => s.Kind == ClientKind);
        AssertTraceparent(clientTrace, attempt.SpanId, seen);
    }

    /// <summary>W3C: version-traceid-parentid-flags, with the sampled bit set (.NET may add level 2's random-trace-id bit).</summary>
    private static void AssertTraceparent(string traceId, string parentId, string? header)
    {
        Assert.NotNull(header);
        Assert.StartsWith($"00-{traceId}-{parentId}-", header, StringComparison.Ordinal);
        Assert.True((Convert.ToInt32(header[^2..], 16) & 1) == 1, $"not sampled: {header}");
    }
}
