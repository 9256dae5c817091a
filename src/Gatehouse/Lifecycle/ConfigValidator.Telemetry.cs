using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    private static void ValidateTelemetry(List<ConfigError> errors, MetricsDefinition metrics, TracingDefinition tracing)
    {
        Unknown(errors, "metrics", metrics);
        if (metrics.Otlp is { } metricsOtlp)
        {
            ValidateOtlp(errors, "metrics.otlp", metricsOtlp);
            PositiveDuration(errors, "metrics.otlp.interval", metricsOtlp.Interval);
        }

        Unknown(errors, "tracing", tracing);
        if (tracing.SampleRatio is < 0 or > 1 || double.IsNaN(tracing.SampleRatio))
        {
            errors.Add(new("tracing.sampleRatio", $"{tracing.SampleRatio} is not between 0 and 1"));
        }

        if (tracing.Otlp is { } tracingOtlp)
        {
            ValidateOtlp(errors, "tracing.otlp", tracingOtlp);
        }
        else if (tracing.Enabled)
        {
            errors.Add(new("tracing.otlp.endpoint", "required when tracing is enabled (the collector's OTLP/HTTP address, such as http://127.0.0.1:4318)"));
        }
    }

    private static void ValidateOtlp(List<ConfigError> errors, string path, OtlpDefinition otlp)
    {
        Unknown(errors, path, otlp);
        if (string.IsNullOrWhiteSpace(otlp.Endpoint))
        {
            errors.Add(new($"{path}.endpoint", "required (the collector's OTLP/HTTP address, such as http://127.0.0.1:4318)"));
        }
        else if (!IsHttpUri(otlp.Endpoint))
        {
            errors.Add(new($"{path}.endpoint", $"'{otlp.Endpoint}' is not an absolute http(s) URI"));
        }

        foreach (var name in otlp.Headers.Keys)
        {
            if (!IsToken(name))
            {
                errors.Add(new($"{path}.headers.{name}", "is not a header field name"));
            }
        }
    }
}
