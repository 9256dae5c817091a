using System.Diagnostics.Metrics;
using Gatehouse.Http;
using Gatehouse.Observability.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Tests.Observability.Metrics;

public class MetricsCollectorTests
{
    private static IMeterFactory NewFactory() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    [Fact]
    public void Collect_SumsEachLabelSet_WhateverTheTagOrder_AndIgnoresAnotherHostsMeter()
    {
        var factory = NewFactory();
        using var collector = new MetricsCollector(factory);
        var counter = factory.Create(GatehouseTelemetry.MeterName).CreateCounter<long>("test.things", "{thing}");
        var otherHost = NewFactory().Create(GatehouseTelemetry.MeterName).CreateCounter<long>("test.things", "{thing}");

        counter.Add(2, new("a", "x"), new("b", "y"));
        counter.Add(3, new("b", "y"), new("a", "x"));
        counter.Add(1, new("a", "z"), new("b", "y"));
        otherHost.Add(100, new("a", "x"), new("b", "y"));

        var things = Assert.Single(collector.Collect(), i => i.Instrument.Name == "test.things");
        Assert.Equal(MetricKind.Counter, things.Kind);
        var values = things.Series.ToDictionary(s => string.Join(",", s.Tags.Select(t => $"{t.Key}={t.Value}")), s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["a=x,b=y"] = 5, ["a=z,b=y"] = 1 }, values);
    }

    [Fact]
    public void RequestMetrics_ExposedAsAPrometheusHistogram_AndReadableAsRouteTraffic()
    {
        var factory = NewFactory();
        using var collector = new MetricsCollector(factory);
        var requests = new RequestMetrics(factory);
        requests.Record("api", "GET", 200, 0.003);
        requests.Record("api", "get", 204, 0.2);
        requests.Record("api", "BREW", 503, 20);

        var text = PrometheusText.Write(collector.Collect());
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{method=\"GET\",route=\"api\",status_class=\"2xx\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_bucket{method=\"GET\",route=\"api\",status_class=\"2xx\",le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_count{method=\"GET\",route=\"api\",status_class=\"2xx\"} 2\n", text, StringComparison.Ordinal);
        // A method the conventions do not list is _OTHER: a client cannot create series.
        Assert.Contains("http_server_request_duration_seconds_count{method=\"_OTHER\",route=\"api\",status_class=\"5xx\"} 1\n", text, StringComparison.Ordinal);

        var api = Assert.Single(collector.RouteTraffic());
        Assert.Equal(("api", 3L, 1L), (api.Route, api.Requests, api.ServerErrors));
        Assert.Equal(2, api.ByStatusClass["2xx"]);
        Assert.Equal(10, api.Quantile(0.99));
        Assert.InRange(api.Quantile(0.5)!.Value, 0.1, 0.25);
    }

    [Fact]
    public void ObservableGauge_SeriesThatStopReporting_Disappear()
    {
        var factory = NewFactory();
        using var collector = new MetricsCollector(factory);
        var destinations = new List<string> { "a", "b" };
        factory.Create(GatehouseTelemetry.MeterName).CreateObservableGauge("test.up",
            () => destinations.Select(d => new Measurement<int>(1, new KeyValuePair<string, object?>("destination", d))).ToList());

        Assert.Equal(2, Assert.Single(collector.Collect(), i => i.Instrument.Name == "test.up").Series.Count);
        destinations.Remove("a");
        Assert.Equal("b", Assert.Single(Assert.Single(collector.Collect(), i => i.Instrument.Name == "test.up").Series).Tags[0].Value);
    }

    [Fact]
    public void Labels_AreEscaped()
    {
        var factory = NewFactory();
        using var collector = new MetricsCollector(factory);
        factory.Create(GatehouseTelemetry.MeterName).CreateCounter<long>("test.escaped").Add(1, new KeyValuePair<string, object?>("route", "a\"b\\c\nd"));
        Assert.Contains("test_escaped_total{route=\"a\\\"b\\\\c\\nd\"} 1\n", PrometheusText.Write(collector.Collect()), StringComparison.Ordinal);
    }
}
