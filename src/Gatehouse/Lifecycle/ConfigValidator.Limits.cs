using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    // Kestrel needs room for at least a minimal request line and header block.
    private const long MinimumHeaderBytes = 1024;

    private static void ValidateProtectionLimits(List<ConfigError> errors, GatehouseConfig config)
    {
        var limits = config.Limits;
        Unknown(errors, "limits", limits);
        SizeAtLeast(errors, "limits.maxRequestLineBytes", limits.MaxRequestLineBytes, MinimumHeaderBytes);
        SizeAtLeast(errors, "limits.maxRequestHeadersBytes", limits.MaxRequestHeadersBytes, MinimumHeaderBytes);
        PositiveSize(errors, "limits.maxRequestBodyBytes", limits.MaxRequestBodyBytes);
        BodyBufferSize(errors, "limits.requestBodyBufferBytes", limits.RequestBodyBufferBytes);
        AtLeastOne(errors, "limits.maxRequestHeaderCount", limits.MaxRequestHeaderCount);
        PositiveDuration(errors, "limits.requestHeadersTimeout", limits.RequestHeadersTimeout);
        PositiveDuration(errors, "limits.keepAliveTimeout", limits.KeepAliveTimeout);
        MinDataRate(errors, "limits.minRequestBodyDataRate", limits.MinRequestBodyDataRate);
        MinDataRate(errors, "limits.minResponseDataRate", limits.MinResponseDataRate);
        if (limits.MaxConnections is { } max)
        {
            AtLeastOne(errors, "limits.maxConnections", max);
        }

        if (limits.MaxConnectionsPerClient is { } perClient)
        {
            AtLeastOne(errors, "limits.maxConnectionsPerClient", perClient);
        }

        Http2Budgets(errors, "limits.http2", limits.Http2);
        Unknown(errors, "http", config.Http);
        if (config.Http.UnknownHostStatus is not (421 or 404))
        {
            errors.Add(new("http.unknownHostStatus", $"{config.Http.UnknownHostStatus} is not 421 or 404"));
        }

        if (!UnderscoresInHeaders.All.Contains(config.Http.UnderscoresInHeaders))
        {
            errors.Add(new("http.underscoresInHeaders", $"'{config.Http.UnderscoresInHeaders}' is not one of {string.Join(", ", UnderscoresInHeaders.All)}"));
        }

        foreach (var (id, route) in config.Routes)
        {
            if (route?.Limits is not { } routeLimits)
            {
                continue;
            }

            Unknown(errors, $"routes.{id}.limits", routeLimits);
            if (routeLimits.MaxRequestBodyBytes is { } body)
            {
                PositiveSize(errors, $"routes.{id}.limits.maxRequestBodyBytes", body);
            }

            if (routeLimits.RequestBodyTimeout is { } bodyTimeout)
            {
                PositiveDuration(errors, $"routes.{id}.limits.requestBodyTimeout", bodyTimeout);
            }

            if (routeLimits.RequestBodyBufferBytes is { } buffer)
            {
                BodyBufferSize(errors, $"routes.{id}.limits.requestBodyBufferBytes", buffer);
            }
        }
    }

    private const long MaximumBodyBuffer = 8 * 1024 * 1024;

    private static void SizeAtLeast(List<ConfigError> errors, string path, ByteSize size, long minimum)
    {
        PositiveSize(errors, path, size);
        if (size.Value is { } value && value > 0 && value < minimum)
        {
            errors.Add(new(path, $"'{size.Raw}' is less than the smallest useful value, {minimum} bytes"));
        }
        else if (size.Value > int.MaxValue)
        {
            errors.Add(new(path, $"'{size.Raw}' is more than 2GB"));
        }
    }

    /// <summary>0 (off) to 8 MB: each buffered request holds its buffer, so the largest bounds memory per request.</summary>
    private static void BodyBufferSize(List<ConfigError> errors, string path, ByteSize size)
    {
        if (size.Value is not { } value)
        {
            errors.Add(new(path, $"'{size.Raw}' is not a size (such as 0, 65536, 64KB or 1MB)"));
        }
        else if (value is < 0 or > MaximumBodyBuffer)
        {
            errors.Add(new(path, $"'{size.Raw}' must be from 0 (off) to 8MB"));
        }
    }

    private static void Http2Budgets(List<ConfigError> errors, string path, Http2LimitsDefinition? http2)
    {
        if (http2 is null)
        {
            errors.Add(new(path, "must be an object such as { \"maxControlFrames\": 1000, \"controlFramesPerSecond\": 100, \"maxResets\": 200 }"));
            return;
        }

        Unknown(errors, path, http2);
        if (http2.MaxControlFrames < 0)
        {
            errors.Add(new($"{path}.maxControlFrames", $"{http2.MaxControlFrames} is negative (0 turns the budget off)"));
        }

        if (!double.IsFinite(http2.ControlFramesPerSecond) || http2.ControlFramesPerSecond < 0)
        {
            errors.Add(new($"{path}.controlFramesPerSecond", $"{http2.ControlFramesPerSecond} is not a rate of 0 or more"));
        }

        if (http2.MaxResets < 0)
        {
            errors.Add(new($"{path}.maxResets", $"{http2.MaxResets} is negative (0 turns the budget off)"));
        }
    }

    private static void MinDataRate(List<ConfigError> errors, string path, MinDataRateDefinition? rate)
    {
        if (rate is null)
        {
            errors.Add(new(path, "must be an object such as { \"bytesPerSecond\": 240, \"gracePeriod\": \"5s\" }"));
            return;
        }

        Unknown(errors, path, rate);
        if (rate.BytesPerSecond < 0 || double.IsNaN(rate.BytesPerSecond) || double.IsInfinity(rate.BytesPerSecond))
        {
            errors.Add(new($"{path}.bytesPerSecond", $"{rate.BytesPerSecond} must be zero (off) or more"));
        }

        PositiveDuration(errors, $"{path}.gracePeriod", rate.GracePeriod);
        // Kestrel checks rates on a one-second heartbeat and refuses shorter grace periods.
        if (rate.GracePeriod.Value is { } grace && grace > TimeSpan.Zero && grace <= TimeSpan.FromSeconds(1))
        {
            errors.Add(new($"{path}.gracePeriod", $"'{rate.GracePeriod.Raw}' must be more than 1s (Kestrel checks rates once a second)"));
        }
    }
}
