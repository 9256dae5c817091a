using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Gatehouse.Acme.Tests.TestSupport;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Gatehouse.Protection;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// One Gatehouse in front of four backends that read paths differently: a Kestrel app, nginx (which merges slashes and
/// resolves dot segments itself), Python's http.server (which serves files from a folder) and a raw socket that records
/// the exact request line. For each backend, by host name, a route <c>admin</c> (<c>/admin</c>, basic auth) and a
/// catch-all; the recorder's host also has <c>/signed</c> with forwardRawPath. Listeners: plain HTTP, and HTTPS for HTTP/2.
/// </summary>
public sealed class PathConfusionFixture : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "s3cret";
    public static readonly string[] Hosts = ["kestrel.example", "nginx.example", "python.example", "recorder.example"];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
    private readonly TestPki _pki = TestPki.Create();
    private ChildProcess? _nginx;
    private ChildProcess? _python;

    public TestBackend Kestrel { get; private set; } = null!;

    /// <summary>The decoded path of every request the Kestrel backend received.</summary>
    public ConcurrentQueue<string> KestrelPaths { get; } = new();

    public RecordingBackend Recorder { get; private set; } = null!;

    public TestProxy Proxy { get; private set; } = null!;

    public Uri HttpAddress => Proxy.Addresses[0];

    public int HttpsPort => Proxy.Addresses[1].Port;

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Ca => _pki.Ca;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Kestrel = await TestBackend.StartAsync("kestrel", context =>
        {
            KestrelPaths.Enqueue(context.Request.Path.Value!);
            return context.Response.WriteAsync("kestrel " + context.Request.Path.Value);
        });
        Recorder = RecordingBackend.Start();
        var nginxPort = StartNginx();
        var pythonPort = await StartPythonAsync();
        await FreePorts.WaitForListenerAsync(nginxPort, TimeSpan.FromSeconds(20), () => _nginx!.Output);

        var backends = new[] { Kestrel.Address.ToString().TrimEnd('/'), $"http://127.0.0.1:{nginxPort}", $"http://127.0.0.1:{pythonPort}", Recorder.Address };
        var hash = PasswordHash.Create(Password, iterations: 1_000);
        var routes = new List<string>();
        var clusters = new List<string>();
        for (var i = 0; i < Hosts.Length; i++)
        {
            var host = Hosts[i];
            routes.Add($$"""
                "admin-{{i}}": { "clusterId": "c{{i}}", "match": { "hosts": ["{{host}}"], "pathPrefix": "/admin" },
                  "accessControl": { "basicAuth": { "realm": "Admin", "users": { "{{User}}": "{{hash}}" } } } },
                "all-{{i}}": { "clusterId": "c{{i}}", "match": { "hosts": ["{{host}}"], "pathPrefix": "/" } }
                """);
            clusters.Add($$"""
                "c{{i}}": { "retry": { "enabled": false }, "destinations": { "d": { "address": "{{backends[i]}}" } } }
                """);
        }

        routes.Add("""
            "signed": { "clusterId": "c3", "match": { "hosts": ["recorder.example"], "pathPrefix": "/signed" }, "forwardRawPath": true }
            """);
        var certificate = _pki.Write(_pki.Issue("paths", Hosts), "paths");
        Proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 }, { "address": "127.0.0.1", "port": 0, "tls": {} } ],
              "accessLog": { "enabled": false },
              "tls": { "redirectHttp": false, "certificates": [ {{TlsConfigs.Certificate(certificate, isDefault: true)}} ] },
              "routes": { {{string.Join(",\n", routes)}} },
              "clusters": { {{string.Join(",\n", clusters)}} }
            }
            """);
    }

    /// <summary>
    /// nginx from the Debian package, in the foreground, with its own config, pid, logs and temp paths in a temp folder;
    /// it answers with the location it chose and its normalised <c>$uri</c>.
    /// </summary>
    private int StartNginx()
    {
        var port = FreePorts.Tcp();
        var prefix = Path.Combine(_directory, "nginx");
        Directory.CreateDirectory(prefix);
        var config = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(config, $$"""
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              server {
                listen 127.0.0.1:{{port}};
                location /admin/ { return 200 "nginx admin $uri"; }
                location / { return 200 "nginx public $uri"; }
              }
            }
            """);
        _nginx = new ChildProcess(NginxPath(), ["-e", Path.Combine(prefix, "error.log"), "-p", prefix, "-c", config, "-g", "daemon off;"], new Dictionary<string, string>(), prefix);
        return port;
    }

    private static string NginxPath() => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    /// <summary><c>python3 -m http.server</c> serving a folder with <c>admin/index.html</c>; it prints its port when it listens.</summary>
    private async Task<int> StartPythonAsync()
    {
        var root = Path.Combine(_directory, "www");
        Directory.CreateDirectory(Path.Combine(root, "admin"));
        await File.WriteAllTextAsync(Path.Combine(root, "admin", "index.html"), "python admin page");
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "python public page");
        var port = FreePorts.Tcp();
        _python = new ChildProcess("python3", ["-u", "-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", root],
            new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "1" }, root);
        await _python.WaitForLineAsync("Serving HTTP on", TimeSpan.FromSeconds(20));
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        _nginx?.Dispose();
        _python?.Dispose();
        if (Recorder is not null)
        {
            await Recorder.DisposeAsync();
        }

        if (Kestrel is not null)
        {
            await Kestrel.DisposeAsync();
        }

        _pki.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Issue 13: spellings of a protected path. Whatever the spelling, the request is either refused (400) or routed as the
/// protected path (401 without credentials); none reaches a backend without credentials, and with credentials every
/// backend reads the canonical path. (docs/protection.md, "Paths: one canonical form".)
/// </summary>
public sealed class PathConfusionTests(PathConfusionFixture fixture) : IClassFixture<PathConfusionFixture>
{
    private static readonly string Credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{PathConfusionFixture.User}:{PathConfusionFixture.Password}"));

    /// <summary>Spellings of /admin/: the target ("{host}" is the backend's host name), and the canonical path, or null when refused.</summary>
    public static TheoryData<string, string?> Variants => new()
    {
        { "/admin/", "/admin/" },
        { "//admin/", "/admin/" },
        { "///admin/", "/admin/" },
        { "/./admin/", "/admin/" },
        { "/%2e/admin/", "/admin/" },
        { "/x/%2E%2E/admin/", "/admin/" },
        { "/public/../admin/", "/admin/" },
        { "/public//../admin/", "/admin/" },
        { "/%2fadmin/", null },
        { "/%5cadmin/", null },
        { "/\\admin/", null },
        { "/admin;x=y/", null },
        { "/public/..;/admin/", null },
        { "/admin./", null },
        { "/admin%20/", null },
        { "/admin%00/", null },
        { "/admin%0d%0a/", null },
        { "/%c0%ae%c0%ae/admin/", null },
        { "/x/%c0%ae%c0%ae/admin/", null },
        { "/x/%252e%252e/admin/", null },
        { "/%252fadmin/", null },
        { "/ADMIN/", "/ADMIN/" },
        { "/AdMiN/", "/AdMiN/" },
        { "/%61dmin/", "/admin/" },
        { "http://{host}/admin/", "/admin/" },
        { "http://{host}//admin/", "/admin/" },
        { "http://{host}/x/../admin/", "/admin/" },
    };

    private static string Request(string target, string host, bool authenticated) =>
        $"GET {target.Replace("{host}", host, StringComparison.Ordinal)} HTTP/1.1\r\nHost: {host}\r\n"
        + (authenticated ? $"Authorization: Basic {Credentials}\r\n" : "") + "Connection: close\r\n\r\n";

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task WithoutCredentials_EverySpellingOfTheProtectedPath_Is401Or400_AndReachesNoBackend(string target, string? canonical)
    {
        var kestrel = fixture.Kestrel.Requests;
        var recorder = fixture.Recorder.Requests.Count;

        foreach (var host in PathConfusionFixture.Hosts)
        {
            var response = await RawHttp.SendAsync(fixture.HttpAddress, Request(target, host, authenticated: false));

            Assert.True((canonical is null ? 400 : 401) == response.Status, $"{target} via {host}: {response.Status} {response.Body}");
            if (response.Status == 400)
            {
                Assert.True(response.Closed, $"{target} via {host}: the connection stayed open after a 400");
            }
        }

        Assert.Equal(kestrel, fixture.Kestrel.Requests);
        Assert.Equal(recorder, fixture.Recorder.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task WithCredentials_EveryBackendReadsTheCanonicalPath(string target, string? canonical)
    {
        var kestrel = fixture.KestrelPaths.Count;
        var recorder = fixture.Recorder.Requests.Count;

        var responses = new Dictionary<string, RawResponse>();
        foreach (var host in PathConfusionFixture.Hosts)
        {
            responses[host] = await RawHttp.SendAsync(fixture.HttpAddress, Request(target, host, authenticated: true));
        }

        if (canonical is null)
        {
            Assert.All(responses, r => Assert.True(r.Value.Status == 400, $"{target} via {r.Key}: {r.Value.Status} {r.Value.Body}"));
            Assert.Equal(kestrel, fixture.KestrelPaths.Count);
            Assert.Equal(recorder, fixture.Recorder.Requests.Count);
            return;
        }

        // The Kestrel app decodes the path it receives: the canonical path.
        Assert.Equal(200, responses["kestrel.example"].Status);
        Assert.Equal([canonical], fixture.KestrelPaths.Skip(kestrel));
        // nginx chose its location by its own normalised $uri: the same path, so the same resource.
        Assert.Equal(200, responses["nginx.example"].Status);
        var nginxLocation = canonical.StartsWith("/admin/", StringComparison.Ordinal) ? "admin" : "public";
        Assert.Equal($"nginx {nginxLocation} {canonical}", responses["nginx.example"].Body);
        // Python serves the file for the canonical path (its folder is case-sensitive: /ADMIN/ is no file there).
        if (canonical == "/admin/")
        {
            Assert.Equal(200, responses["python.example"].Status);
            Assert.Equal("python admin page", responses["python.example"].Body);
        }
        else
        {
            Assert.Equal(404, responses["python.example"].Status);
        }

        // The recorder shows the exact bytes: the canonical path and nothing else.
        Assert.Equal(200, responses["recorder.example"].Status);
        Assert.Equal(recorder + 1, fixture.Recorder.Requests.Count);
        Assert.StartsWith($"GET {canonical} HTTP/1.1\r\n", fixture.Recorder.Requests.ToArray()[recorder]);
    }

    /// <summary>
    /// What YARP writes for a canonical path (it percent-encodes all but unreserved characters, sub-delims, ':', '@' and
    /// '/'), and that decoding it gives the canonical path back.
    /// </summary>
    [Theory]
    [InlineData("/a%20b", "/a%20b")]
    [InlineData("/100%25", "/100%25")]
    [InlineData("/100%25.txt", "/100%25.txt")]
    [InlineData("/caf%c3%a9", "/caf%C3%A9")]
    [InlineData("/a'b:c@d!$&()*+,=-_~", "/a'b:c@d!$&()*+,=-_~")]
    [InlineData("/%7Euser/a%2Db", "/~user/a-b")]
    [InlineData("/a%5Bb%5D%7B%7D%7C%5E%60%22%3C%3E", "/a%5Bb%5D%7B%7D%7C%5E%60%22%3C%3E")]
    [InlineData("/a[b]", "/a%5Bb%5D")]
    [InlineData("/a%3F%23", "/a%3F%23")]
    [InlineData("/x%2Ey", "/x.y")]
    [InlineData("/a%E2%80%AE%C2%A0", "/a%E2%80%AE%C2%A0")]
    [InlineData("/a/b/../c?q=%2F..%2F&r=;", "/a/c?q=%2F..%2F&r=;")]
    public async Task TheForwardedPath_DecodesToTheCanonicalPath(string target, string forwarded)
    {
        var before = fixture.Recorder.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.HttpAddress, Request(target, "recorder.example", authenticated: false));

        Assert.Equal(200, response.Status);
        var line = fixture.Recorder.Requests.ToArray()[before].Split("\r\n")[0];
        Assert.Equal($"GET {forwarded} HTTP/1.1", line);
        var canonical = PathCanonicalization.Canonicalize(target);
        var sent = forwarded.Split('?')[0];
        Assert.Equal(canonical.PathOf(target), Uri.UnescapeDataString(sent));
    }

    [Theory]
    [InlineData("/signed/%7Euser/a%2Db")]
    [InlineData("/signed/%7euser/a%2db?sig=%2F%2b&x=1")]
    [InlineData("/signed/caf%C3%A9/100%25/%41")]
    [InlineData("/Signed/a%20b")]
    public async Task ForwardRawPath_TheBackendGetsTheClientsBytes(string target)
    {
        var before = fixture.Recorder.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.HttpAddress, Request(target, "recorder.example", authenticated: false));

        Assert.Equal(200, response.Status);
        Assert.StartsWith($"GET {target} HTTP/1.1\r\n", fixture.Recorder.Requests.ToArray()[before]);
    }

    [Theory]
    [InlineData("/signed//x")]
    [InlineData("/signed/a/../b")]
    [InlineData("/signed/a/%2e%2e/b")]
    [InlineData("/signed/./b")]
    [InlineData("/signed/b/.")]
    [InlineData("/signed/a;b")]
    [InlineData("/signed/%252e")]
    public async Task ForwardRawPath_RepeatedSlashesOrDotSegments_Are400(string target)
    {
        var before = fixture.Recorder.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.HttpAddress, Request(target, "recorder.example", authenticated: false));

        Assert.Equal(400, response.Status);
        Assert.True(response.Closed);
        Assert.Equal(before, fixture.Recorder.Requests.Count);
    }

    [Fact]
    public async Task ForwardRawPath_MatchingStillUsesTheCanonicalPath()
    {
        // /signed/../admin/ is /admin/: the admin route (401), not /signed's.
        var response = await RawHttp.SendAsync(fixture.HttpAddress, Request("/signed/%2e%2e/admin/", "recorder.example", authenticated: false));

        Assert.Equal(401, response.Status);
    }

    [Theory]
    [InlineData("//admin/", 401)]
    [InlineData("/%2e/admin/", 401)]
    [InlineData("/x/%2E%2E/admin/", 401)]
    [InlineData("/ADMIN/", 401)]
    [InlineData("/admin;x=y/", 400)]
    [InlineData("/%2fadmin/", 400)]
    [InlineData("/x/%252e%252e/admin/", 400)]
    [InlineData("/public", 200)]
    public async Task Http2_TheSameRules(string path, int status)
    {
        var before = fixture.Recorder.Requests.Count;
        using var client = TlsClient.Create(fixture.HttpsPort, "recorder.example", root: fixture.Ca);
        var uri = new Uri($"https://recorder.example:{fixture.HttpsPort}{path}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(before + (status == 200 ? 1 : 0), fixture.Recorder.Requests.Count);
        if (status == 200)
        {
            Assert.StartsWith($"GET {path} HTTP/1.1\r\n", fixture.Recorder.Requests.ToArray()[before]);
        }
    }
}

/// <summary>The canonical path is not a strict HTTP rule: turning http.strict off leaves it on.</summary>
public sealed class PathConfusionWithoutStrictHttpTests
{
    [Theory]
    [InlineData("//admin/", 401)]
    [InlineData("/%2e/admin/", 401)]
    [InlineData("/admin;x=y/", 400)]
    [InlineData("/%2fadmin/", 400)]
    [InlineData("/public", 200)]
    public async Task HttpStrictOff_PathsAreStillCanonical(string target, int status)
    {
        await using var backend = await TestBackend.StartAsync("app");
        var hash = PasswordHash.Create("s3cret", iterations: 1_000);
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "http": { "strict": false },
              "routes": {
                "admin": { "clusterId": "c", "match": { "pathPrefix": "/admin" }, "accessControl": { "basicAuth": { "users": { "alice": "{{hash}}" } } } },
                "all": { "clusterId": "c", "match": { "pathPrefix": "/" } }
              },
              "clusters": { "c": { "destinations": { "d": { "address": "{{backend.Address}}" } } } }
            }
            """);

        var response = await RawHttp.SendAsync(proxy.Address, $"GET {target} HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n");

        Assert.Equal(status, response.Status);
        Assert.Equal(status == 200 ? 1 : 0, backend.Requests);
    }
}
