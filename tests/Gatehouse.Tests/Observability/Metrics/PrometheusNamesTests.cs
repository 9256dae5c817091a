using Gatehouse.Observability.Metrics;

namespace Gatehouse.Tests.Observability.Metrics;

public class PrometheusNamesTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", MetricKind.Histogram, "http_server_request_duration_seconds")]
    [InlineData("gatehouse.upstream.retries", "{retry}", MetricKind.Counter, "gatehouse_upstream_retries_total")]
    [InlineData("gatehouse.cache.size", "By", MetricKind.Gauge, "gatehouse_cache_size_bytes")]
    [InlineData("dotnet.process.cpu.time", "s", MetricKind.Counter, "dotnet_process_cpu_time_seconds_total")]
    [InlineData("dotnet.thread_pool.thread.count", "{thread}", MetricKind.Gauge, "dotnet_thread_pool_thread_count_value")]
    [InlineData("gatehouse.certificate.expiry", "s", MetricKind.Gauge, "gatehouse_certificate_expiry_seconds")]
    [InlineData("9lives-x", null, MetricKind.Gauge, "_9lives_x")]
    public void Metric_FollowsOpenTelemetrysPrometheusRules(string name, string? unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusNames.Metric(name, unit, kind));

    [Fact]
    public void Label_DotsBecomeUnderscores() => Assert.Equal("server_address", PrometheusNames.Label("server.address"));
}
