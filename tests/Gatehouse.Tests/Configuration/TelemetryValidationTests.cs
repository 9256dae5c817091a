using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class TelemetryValidationTests
{
    [Fact]
    public void Defaults_MetricsOn_TracingOff_AreValid()
    {
        var config = SampleConfig.Valid();
        Assert.True(config.Metrics.Enabled);
        Assert.False(config.Tracing.Enabled);
        Assert.Empty(ConfigValidator.Validate(config));
    }

    [Fact]
    public void BadOtlpSettings_AreEachReportedWithTheirPath()
    {
        var config = SampleConfig.Valid() with
        {
            Metrics = new MetricsDefinition { Otlp = new OtlpDefinition { Endpoint = "collector:4318", Interval = Duration.Parse("soon") } },
            Tracing = new TracingDefinition { Enabled = true, SampleRatio = 1.5 },
        };

        var errors = ConfigValidator.Validate(config).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("metrics.otlp.endpoint: 'collector:4318' is not an absolute http(s) URI", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("metrics.otlp.interval:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("tracing.sampleRatio: 1.5 is not between 0 and 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("tracing.otlp.endpoint: required when tracing is enabled", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownTelemetrySetting_IsNamed()
    {
        var result = ConfigLoader.Parse("""
            { "listeners": [ { "port": 8080 } ], "tracing": { "enabeld": true } }
            """);
        Assert.Contains(result.Errors.Concat(result.Config is null ? [] : ConfigValidator.Validate(result.Config)), e => e.Path == "tracing.enabeld");
    }
}
