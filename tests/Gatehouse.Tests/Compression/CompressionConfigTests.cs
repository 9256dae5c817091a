using Gatehouse.Compression;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Compression;

/// <summary>The <c>compression</c> sections: every error with its path, and what a route ends up with.</summary>
public sealed class CompressionConfigTests
{
    private static string Json(string compression, string routeCompression = "{}") => $$"""
        {
          "listeners": [ { "port": 8080 } ],
          "compression": {{compression}},
          "routes": { "web": { "clusterId": "c", "match": { "pathPrefix": "/" }, "compression": {{routeCompression}} } },
          "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:9000" } } } }
        }
        """;

    [Fact]
    public void EveryBadSetting_IsReportedWithItsPath()
    {
        var result = ConfigLoader.Parse(Json(
            """{ "enabled": true, "encodings": ["br", "deflate"], "levels": { "br": 12, "lz4": 1 }, "storedLevels": { "gzip": 0 }, "types": ["text/*", "html"], "minimumSize": "big", "extra": 1 }""",
            """{ "encodings": [], "levels": { "zstd": 23 }, "types": ["*/*"] }"""));

        var paths = result.Errors.Select(e => e.Path).ToList();
        Assert.Contains("compression.encodings[1]", paths);
        Assert.Contains("compression.levels.br", paths);
        Assert.Contains("compression.levels.lz4", paths);
        Assert.Contains("compression.storedLevels.gzip", paths);
        Assert.Contains("compression.types[1]", paths);
        Assert.Contains("compression.minimumSize", paths);
        Assert.Contains("compression.extra", paths);
        Assert.Contains("routes.web.compression.encodings", paths);
        Assert.Contains("routes.web.compression.levels.zstd", paths);
        Assert.Contains("routes.web.compression.types[0]", paths);
        Assert.Contains(result.Errors, e => e.Path == "compression.levels.br" && e.Message.Contains("0 to 11", StringComparison.Ordinal));
    }

    [Fact]
    public void OffByDefault()
    {
        var config = Valid(Json("{}"));
        Assert.Null(RouteCompression.From(config.Compression, config.Routes["web"].Compression, cached: false));
    }

    [Fact]
    public void RouteSettings_OverTheTopLevel_LevelsMergeByCoding()
    {
        var config = Valid(Json(
            """{ "enabled": true, "levels": { "gzip": 1 } }""",
            """{ "encodings": ["gzip", "br"], "levels": { "br": 6 }, "minimumSize": "2KB" }"""));

        var route = RouteCompression.From(config.Compression, config.Routes["web"].Compression, cached: true)!;

        Assert.Equal([ContentCoding.Gzip, ContentCoding.Brotli], route.Preference);
        Assert.Equal(1, route.Levels[ContentCoding.Gzip]);
        Assert.Equal(6, route.Levels[ContentCoding.Brotli]);
        Assert.Equal(3, route.Levels[ContentCoding.Zstd]);
        Assert.Equal(11, route.StoredLevels[ContentCoding.Brotli]);
        Assert.Equal(2048, route.MinimumSize);
        Assert.True(route.Cached);
    }

    [Fact]
    public void ARouteCanTurnItOff()
    {
        var config = Valid(Json("""{ "enabled": true }""", """{ "enabled": false }"""));
        Assert.Null(RouteCompression.From(config.Compression, config.Routes["web"].Compression, cached: false));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void QuickMode_CompressFlag(bool compress)
    {
        var result = Gatehouse.Cli.QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:9000"], null, compress: compress);
        Assert.Equal(compress, result.Config!.Compression.Enabled);
    }

    private static GatehouseConfig Valid(string json)
    {
        var result = ConfigLoader.Parse(json);
        Assert.Empty(result.Errors);
        return result.Config!;
    }
}
