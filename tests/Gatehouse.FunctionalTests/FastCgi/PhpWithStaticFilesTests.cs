using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.FastCgi;

/// <summary>
/// A WordPress-style site on one route: Gatehouse's static files answer the assets from the document root, PHP-FPM runs
/// the scripts and takes everything else (front controller), and a script's source is never sent as a file, whatever
/// its spelling.
/// </summary>
public sealed class PhpWithStaticFilesTests : IAsyncLifetime
{
    private const string Secret = "DB_PASSWORD_s3cr3t";

    private PhpFpm _fpm = null!;
    private TestProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _fpm = await PhpFpm.StartAsync(new Dictionary<string, string>
        {
            ["index.php"] = "<?php echo 'front controller ', $_SERVER['REQUEST_URI'];",
            ["wp-config.php"] = $"<?php $password = '{Secret}'; echo 'config ran';",
            ["wp-admin/index.php"] = "<?php echo 'admin index';",
            ["wp-content/style.css"] = "body { color: teal }",
        });
        // A link with an innocent name to a script, and an upper-case spelling of one (other file systems fold case).
        File.CreateSymbolicLink(Path.Combine(_fpm.Root, "wp-content", "config.txt"), Path.Combine(_fpm.Root, "wp-config.php"));
        File.WriteAllText(Path.Combine(_fpm.Root, "LEGACY.PHP"), $"<?php echo 'legacy ran'; // {Secret}");
        _proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": {
                "site": {
                  "clusterId": "php",
                  "match": { "pathPrefix": "/" },
                  "files": { "root": "{{_fpm.Root}}", "index": ["index.html", "index.php"] }
                }
              },
              "clusters": {
                "php": {
                  "protocol": "fastcgi",
                  "fastCgi": { "root": "{{_fpm.Root}}" },
                  "destinations": { "fpm": { "address": "{{_fpm.Address}}" } }
                }
              }
            }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _fpm.DisposeAsync();
    }

    [Fact]
    public async Task Assets_AreServedAsFiles_WithTheirValidators()
    {
        using var css = await _proxy.Client.GetAsync("/wp-content/style.css");

        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("body { color: teal }", await css.Content.ReadAsStringAsync());
        Assert.NotNull(css.Headers.ETag); // the file server's strong validator: PHP-FPM sets none for a static file
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Scripts_Run_AndOtherPaths_ReachTheFrontController()
    {
        Assert.Equal("config ran", await _proxy.Client.GetStringAsync("/wp-config.php"));
        Assert.Equal("front controller /", await _proxy.Client.GetStringAsync("/"));
        Assert.Equal("front controller /2024/hello-world/", await _proxy.Client.GetStringAsync("/2024/hello-world/"));
        Assert.Equal("admin index", await _proxy.Client.GetStringAsync("/wp-admin/"));
    }

    [Theory]
    [InlineData("/wp-config.php")]
    [InlineData("/WP-CONFIG.PHP")]
    [InlineData("/wp-config.PhP")]
    [InlineData("/LEGACY.PHP")]
    [InlineData("/wp-content/config.txt")]
    [InlineData("/wp-content/../wp-config.php")]
    [InlineData("/wp-config%2ephp")]
    [InlineData("/wp-config.php/")]
    [InlineData("/wp-config.php/extra")]
    [InlineData("/wp-content/style.css/../../wp-config.php")]
    public async Task AScriptsSource_IsNeverSent(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_proxy.Address + path.TrimStart('/'), UriKind.Absolute));
        using var response = await _proxy.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("<?php", body, StringComparison.Ordinal);
    }
}
