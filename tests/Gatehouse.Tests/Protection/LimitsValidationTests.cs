using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Protection;

public class LimitsValidationTests
{
    [Fact]
    public void Validate_Defaults_AreValid() =>
        Assert.DoesNotContain(ConfigValidator.Validate(SampleConfig.Valid()), e => e.Path.StartsWith("limits", StringComparison.Ordinal) || e.Path.StartsWith("http", StringComparison.Ordinal));

    [Fact]
    public void Validate_BadLimits_AreEachReportedWithTheirPath()
    {
        var config = SampleConfig.Valid() with
        {
            Limits = new LimitsDefinition
            {
                MaxRequestLineBytes = ByteSize.Parse("100"),
                MaxRequestHeadersBytes = ByteSize.Parse("lots"),
                MaxRequestHeaderCount = 0,
                MaxRequestBodyBytes = ByteSize.Parse("0"),
                RequestHeadersTimeout = Duration.Parse("0s"),
                KeepAliveTimeout = Duration.Parse("soon"),
                MinRequestBodyDataRate = new MinDataRateDefinition { BytesPerSecond = -1, GracePeriod = Duration.Parse("500ms") },
                MinResponseDataRate = new MinDataRateDefinition { BytesPerSecond = double.NaN },
                MaxConnections = 0,
                MaxConnectionsPerClient = -5,
                Http2 = new Http2LimitsDefinition { MaxControlFrames = -1, ControlFramesPerSecond = double.PositiveInfinity, MaxResets = -200 },
            },
            Http = new HttpDefinition { UnknownHostStatus = 500 },
        };

        var paths = ConfigValidator.Validate(config).Select(e => e.Path).ToHashSet();

        Assert.Superset(new HashSet<string>
        {
            "limits.maxRequestLineBytes", "limits.maxRequestHeadersBytes", "limits.maxRequestHeaderCount", "limits.maxRequestBodyBytes",
            "limits.requestHeadersTimeout", "limits.keepAliveTimeout", "limits.minRequestBodyDataRate.bytesPerSecond",
            "limits.minRequestBodyDataRate.gracePeriod", "limits.minResponseDataRate.bytesPerSecond", "limits.maxConnections",
            "limits.maxConnectionsPerClient", "limits.http2.maxControlFrames", "limits.http2.controlFramesPerSecond", "limits.http2.maxResets",
            "http.unknownHostStatus",
        }, paths);
    }

    [Fact]
    public void Validate_RouteLimits_AreCheckedUnderTheRoutesPath()
    {
        var route = SampleConfig.Route with { Limits = new RouteLimitsDefinition { MaxRequestBodyBytes = ByteSize.Parse("big"), RequestBodyTimeout = Duration.Parse("0s") } };

        var errors = ConfigValidator.Validate(SampleConfig.Valid(route: route));

        Assert.Contains(errors, e => e.Path == "routes.web.limits.maxRequestBodyBytes");
        Assert.Contains(errors, e => e.Path == "routes.web.limits.requestBodyTimeout");
    }

    [Fact]
    public void Generation_ResolvesRouteLimitsOncePerConfig_ListingOnlyRoutesThatSetOne()
    {
        var route = SampleConfig.Route with { Limits = new RouteLimitsDefinition { MaxRequestBodyBytes = ByteSize.Parse("1KB"), RequestBodyTimeout = Duration.Parse("2s") } };
        var config = SampleConfig.Valid(route: route) with { Http = new HttpDefinition { UnknownHostStatus = 404 } };

        var limits = GenerationCompiler.Compile(config).Get<Gatehouse.Protection.RouteLimitSettings>()!;

        Assert.Equal(new Gatehouse.Protection.RouteBodyLimits(1024, TimeSpan.FromSeconds(2)), limits.Routes["WEB"]);
        Assert.Equal(404, limits.UnknownHostStatus);
        Assert.Empty(GenerationCompiler.Compile(SampleConfig.Valid()).Get<Gatehouse.Protection.RouteLimitSettings>()!.Routes);
    }

    [Fact]
    public void Defaults_AreTheDocumentedSafeValues()
    {
        var limits = new LimitsDefinition();

        Assert.Equal(8 * 1024, limits.MaxRequestLineBytes.Value);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersBytes.Value);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(10 * 1024 * 1024, limits.MaxRequestBodyBytes.Value);
        Assert.Equal(TimeSpan.FromSeconds(15), limits.RequestHeadersTimeout.Value);
        Assert.Equal(TimeSpan.FromSeconds(75), limits.KeepAliveTimeout.Value);
        Assert.Equal(240, limits.MinRequestBodyDataRate.BytesPerSecond);
        Assert.Equal(421, new HttpDefinition().UnknownHostStatus);
    }
}
