using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.StaticFiles;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>The routes' <c>files</c> sections: every error with its path, and what a route ends up with.</summary>
public sealed class FilesConfigTests
{
    private static string Json(string files, string cluster = "") => $$"""
        {
          "listeners": [ { "port": 8080 } ],
          "routes": { "web": { {{cluster}} "match": { "pathPrefix": "/" }, "files": {{files}} } },
          "clusters": { "c": { "destinations": { "d1": { "address": "http://127.0.0.1:9000" } } } }
        }
        """;

    [Fact]
    public void EveryBadSetting_IsReportedWithItsPath()
    {
        var result = ConfigLoader.Parse(Json(
            """{ "root": "site", "index": ["a/index.html", ".."], "fallback": "/../index.html", "precompressed": ["br", "deflate", "br"], "stripPrefix": "app", "cacheControl": "max-age=1\r\nX: y", "browse": true }"""));

        var paths = result.Errors.Select(e => e.Path).ToList();
        Assert.Contains("routes.web.files.root", paths);
        Assert.Contains("routes.web.files.index[0]", paths);
        Assert.Contains("routes.web.files.index[1]", paths);
        Assert.Contains("routes.web.files.fallback", paths);
        Assert.Contains("routes.web.files.precompressed[1]", paths);
        Assert.Contains("routes.web.files.precompressed[2]", paths);
        Assert.Contains("routes.web.files.stripPrefix", paths);
        Assert.Contains("routes.web.files.cacheControl", paths);
        Assert.Contains("routes.web.files.browse", paths); // no directory listings: an unknown setting, said so
        Assert.DoesNotContain("routes.web.clusterId", paths); // files alone need no cluster
    }

    [Fact]
    public void RootIsRequired_AndARouteNeedsFilesOrACluster()
    {
        Assert.Contains(ConfigLoader.Parse(Json("{}")).Errors, e => e.Path == "routes.web.files.root");
        var noFiles = ConfigLoader.Parse(Json("null"));
        Assert.Contains(noFiles.Errors, e => e.Path == "routes.web.clusterId");
    }

    [Fact]
    public void Defaults_AsCaddyAndNginxUsersExpect()
    {
        var result = ConfigLoader.Parse(Json("""{ "root": "/srv/www/" }"""));
        Assert.Empty(result.Errors);
        var files = RouteStaticFiles.From(result.Config!.Routes["web"])!;
        Assert.Equal("/srv/www", files.Root);
        Assert.Equal(["index.html"], files.Index);
        Assert.Null(files.Fallback);
        Assert.Equal(["br", "zstd", "gzip"], files.Precompressed.Select(c => c.Name));
        Assert.False(files.ServeDotfiles);
        Assert.False(files.FollowSymlinksOutsideRoot);
        Assert.False(files.ForwardsMisses);
    }

    [Fact]
    public void WithACluster_MissesAreForwarded()
    {
        var result = ConfigLoader.Parse(Json("""{ "root": "/srv/www", "fallback": "/index.html", "precompressed": [] }""", "\"clusterId\": \"c\","));
        Assert.Empty(result.Errors);
        var files = RouteStaticFiles.From(result.Config!.Routes["web"])!;
        Assert.True(files.ForwardsMisses);
        Assert.Equal("index.html", files.Fallback);
        Assert.Empty(files.Precompressed);
        Assert.Null(RouteStaticFiles.From(result.Config.Routes["web"] with { Files = null }));
    }
}
