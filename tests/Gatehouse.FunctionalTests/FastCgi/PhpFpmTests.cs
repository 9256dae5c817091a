using System.Net;
using System.Text;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.FastCgi;

/// <summary>
/// A PHP application behind Gatehouse over FastCGI: Debian's PHP-FPM, started by the test, serves its pages through a
/// real Gatehouse; the CGI variables, a POST body, a streamed response, the CGI Status and the front controller.
/// </summary>
public sealed class PhpFpmTests : IAsyncLifetime
{
    private const string Variables = """
        <?php
        $names = ['SCRIPT_FILENAME', 'SCRIPT_NAME', 'PATH_INFO', 'DOCUMENT_ROOT', 'REQUEST_METHOD', 'QUERY_STRING', 'CONTENT_TYPE',
            'CONTENT_LENGTH', 'REQUEST_URI', 'DOCUMENT_URI', 'SERVER_PROTOCOL', 'GATEWAY_INTERFACE', 'SERVER_SOFTWARE', 'REMOTE_ADDR',
            'REMOTE_PORT', 'SERVER_ADDR', 'SERVER_PORT', 'SERVER_NAME', 'HTTPS', 'HTTP_HOST', 'HTTP_X_CUSTOM', 'HTTP_PROXY'];
        $out = [];
        foreach ($names as $n) { $out[$n] = isset($_SERVER[$n]) ? (string)$_SERVER[$n] : null; }
        header('Content-Type: application/json');
        echo json_encode($out);
        """;

    private const string Post = """
        <?php
        $body = file_get_contents('php://input');
        echo $_SERVER['REQUEST_METHOD'], ' ', strlen($body), ' ', hash('sha256', $body), ' ', $_POST['name'] ?? '-';
        """;

    // Writes the first part and flushes it, then waits (bounded) for the test to say it saw that part: a proxy that
    // buffered the response would never let the client see it, and the test would fail on its deadline.
    private const string Stream = """
        <?php
        while (ob_get_level() > 0) { ob_end_flush(); }
        header('Content-Type: text/plain');
        echo "first part\n";
        flush();
        $signal = $_GET['signal'];
        for ($i = 0; $i < 3000 && !file_exists($signal); $i++) { usleep(10000); }
        echo file_exists($signal) ? "second part\n" : "timed out\n";
        """;

    private const string Status = """
        <?php
        if (isset($_GET['go'])) { header('Location: /elsewhere'); exit; }
        http_response_code(404);
        header('X-From-Php: yes');
        echo 'not here';
        """;

    private readonly HttpClient _noRedirects = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private PhpFpm _fpm = null!;
    private TestProxy _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _fpm = await PhpFpm.StartAsync(new Dictionary<string, string>
        {
            ["vars.php"] = Variables,
            ["post.php"] = Post,
            ["stream.php"] = Stream,
            ["status.php"] = Status,
            ["index.php"] = "<?php echo 'front controller ', $_SERVER['REQUEST_URI'], ' script ', $_SERVER['SCRIPT_NAME'];",
            ["docs/index.php"] = "<?php echo 'docs index';",
            ["style.css"] = "body {}",
        });
        _proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": { "php": { "clusterId": "php", "match": { "pathPrefix": "/" } } },
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
        _noRedirects.Dispose();
        await _proxy.DisposeAsync();
        await _fpm.DisposeAsync();
    }

    [Fact]
    public async Task Get_ThePhpPageSeesTheCgiVariables()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/vars.php/extra/path?a=1&b=two");
        request.Headers.Add("X-Custom", "custom value");
        request.Headers.TryAddWithoutValidation("Proxy", "http://evil.example:1234");
        using var response = await _proxy.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text} {_fpm.Log}");
        var vars = JsonSerializer.Deserialize<Dictionary<string, string?>>(text)!;

        Assert.Equal(_fpm.Root + "/vars.php", vars["SCRIPT_FILENAME"]);
        Assert.Equal("/vars.php", vars["SCRIPT_NAME"]);
        Assert.Equal("/extra/path", vars["PATH_INFO"]);
        Assert.Equal(_fpm.Root, vars["DOCUMENT_ROOT"]);
        Assert.Equal("GET", vars["REQUEST_METHOD"]);
        Assert.Equal("a=1&b=two", vars["QUERY_STRING"]);
        Assert.Equal("/vars.php/extra/path?a=1&b=two", vars["REQUEST_URI"]);
        Assert.Equal("/vars.php/extra/path", vars["DOCUMENT_URI"]);
        Assert.Equal("HTTP/1.1", vars["SERVER_PROTOCOL"]);
        Assert.Equal("CGI/1.1", vars["GATEWAY_INTERFACE"]);
        Assert.Equal("Gatehouse", vars["SERVER_SOFTWARE"]);
        Assert.Equal("127.0.0.1", vars["REMOTE_ADDR"]);
        Assert.True(int.Parse(vars["REMOTE_PORT"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("127.0.0.1", vars["SERVER_ADDR"]);
        Assert.Equal(_proxy.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), vars["SERVER_PORT"]);
        Assert.Equal("127.0.0.1", vars["SERVER_NAME"]);
        Assert.Equal($"127.0.0.1:{_proxy.Address.Port}", vars["HTTP_HOST"]);
        Assert.Null(vars["HTTPS"]);
        Assert.Equal("custom value", vars["HTTP_X_CUSTOM"]);
        Assert.Null(vars["HTTP_PROXY"]);
        Assert.Equal("", vars["CONTENT_LENGTH"] ?? "");
    }

    [Fact]
    public async Task Post_TheBodyReachesPhp_FormAndRaw()
    {
        using var form = await _proxy.Client.PostAsync("/post.php", new FormUrlEncodedContent([KeyValuePair.Create("name", "gatehouse")]));
        Assert.Equal("POST 14 " + Sha256("name=gatehouse") + " gatehouse", await form.Content.ReadAsStringAsync());

        // 300 KB, more than one STDIN record (64 KB at most each), sent chunked: Gatehouse learns its length first.
        var big = new string('x', 300 * 1024);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/post.php") { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(big))) };
        chunked.Headers.TransferEncodingChunked = true;
        using var response = await _proxy.Client.SendAsync(chunked);
        Assert.Equal($"POST {big.Length} {Sha256(big)} -", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Flush_TheFirstPartReachesTheClientWhileTheScriptStillRuns()
    {
        var signal = Path.Combine(_fpm.Directory, "signal-" + Guid.NewGuid().ToString("N"));
        using var response = await _proxy.Client.GetAsync($"/stream.php?signal={Uri.EscapeDataString(signal)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("first part", first);
        await File.WriteAllTextAsync(signal, "go");
        Assert.Equal("second part", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task CgiStatus_AndLocation_BecomeTheResponseStatus()
    {
        using var notFound = await _proxy.Client.GetAsync("/status.php");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("not here", await notFound.Content.ReadAsStringAsync());
        Assert.Equal("yes", notFound.Headers.GetValues("X-From-Php").Single());

        using var redirect = await _noRedirects.GetAsync(new Uri(_proxy.Address, "/status.php?go=1"));
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("/elsewhere", redirect.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task FrontController_TakesPathsThatNameNoScript_AndDirectoriesRunTheirIndex()
    {
        Assert.Equal("front controller /blog/2024/hello?page=2 script /index.php", await _proxy.Client.GetStringAsync("/blog/2024/hello?page=2"));
        Assert.Equal("front controller /missing.php script /index.php", await _proxy.Client.GetStringAsync("/missing.php"));
        Assert.Equal("front controller / script /index.php", await _proxy.Client.GetStringAsync("/"));
        Assert.Equal("docs index", await _proxy.Client.GetStringAsync("/docs/"));

        using var noSlash = await _noRedirects.GetAsync(new Uri(_proxy.Address, "/docs?x=1"));
        Assert.Equal(HttpStatusCode.PermanentRedirect, noSlash.StatusCode);
        Assert.Equal("/docs/?x=1", noSlash.Headers.Location!.OriginalString);

        // A file that is not a script is not PHP's to run (a static-file server takes it when combined; docs/fastcgi.md).
        using var css = await _proxy.Client.GetAsync("/style.css");
        Assert.Equal(HttpStatusCode.NotFound, css.StatusCode);
    }

    [Fact]
    public async Task FpmDown_Is502_NotACrash()
    {
        await _fpm.DisposeAsync();
        using var response = await _proxy.Client.GetAsync("/vars.php");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task UnixSocket_PhpFpmsDebianDefault_ServesThePage()
    {
        await using var fpm = await PhpFpm.StartAsync(new Dictionary<string, string> { ["index.php"] = "<?php echo 'over ', $_SERVER['SERVER_SOFTWARE'];" }, unixSocket: true);
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": { "php": { "clusterId": "php", "match": { "pathPrefix": "/" } } },
              "clusters": {
                "php": {
                  "protocol": "fastcgi",
                  "fastCgi": { "root": "{{fpm.Root}}" },
                  "destinations": { "fpm": { "address": "{{fpm.Address}}" } }
                }
              }
            }
            """);

        Assert.Equal("over Gatehouse", await proxy.Client.GetStringAsync("/"));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
