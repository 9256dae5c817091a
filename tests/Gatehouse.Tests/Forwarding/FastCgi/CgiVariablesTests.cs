using System.Net;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding.FastCgi;

public sealed class CgiVariablesTests
{
    private static Dictionary<string, string> Build(IReadOnlyList<KeyValuePair<string, string>> headers, bool https = false, long? length = null,
        IReadOnlyList<KeyValuePair<string, string>>? extra = null)
    {
        var request = new CgiRequest("POST", "/index.php/a%20b?x=1", "x=1", "HTTP/2", https, IPAddress.Parse("::ffff:198.51.100.9"), 50123,
            IPAddress.Parse("127.0.0.1"), 8443, "shop.example:8443", headers, length);
        return CgiVariables.Build(request, new FastCgiResolution(FastCgiTarget.Script, "/index.php", "/a b"), "/srv/www", extra ?? [])
            .ToDictionary(p => p.Key, p => p.Value);
    }

    [Fact]
    public void TheCgiVariables_FromTheRequestAndTheScript()
    {
        var vars = Build([KeyValuePair.Create("Content-Type", "application/json")], https: true, length: 42);

        Assert.Equal("/srv/www/index.php", vars["SCRIPT_FILENAME"]);
        Assert.Equal("/index.php", vars["SCRIPT_NAME"]);
        Assert.Equal("/a b", vars["PATH_INFO"]);
        Assert.Equal("/srv/www/a b", vars["PATH_TRANSLATED"]);
        Assert.Equal("/srv/www", vars["DOCUMENT_ROOT"]);
        Assert.Equal("/index.php/a b", vars["DOCUMENT_URI"]);
        Assert.Equal("/index.php/a%20b?x=1", vars["REQUEST_URI"]);
        Assert.Equal("x=1", vars["QUERY_STRING"]);
        Assert.Equal("POST", vars["REQUEST_METHOD"]);
        Assert.Equal("application/json", vars["CONTENT_TYPE"]);
        Assert.Equal("42", vars["CONTENT_LENGTH"]);
        Assert.Equal("HTTP/2", vars["SERVER_PROTOCOL"]);
        Assert.Equal("CGI/1.1", vars["GATEWAY_INTERFACE"]);
        Assert.Equal("198.51.100.9", vars["REMOTE_ADDR"]);
        Assert.Equal("50123", vars["REMOTE_PORT"]);
        Assert.Equal("127.0.0.1", vars["SERVER_ADDR"]);
        Assert.Equal("8443", vars["SERVER_PORT"]);
        Assert.Equal("shop.example", vars["SERVER_NAME"]);
        Assert.Equal("on", vars["HTTPS"]);
        Assert.Equal("https", vars["REQUEST_SCHEME"]);
        Assert.False(vars.ContainsKey("HTTP_CONTENT_TYPE"));
    }

    [Fact]
    public void Headers_BecomeHttpVariables_NeverHttpProxy_NorUnderscoredNames()
    {
        var vars = Build([
            KeyValuePair.Create("Proxy", "http://evil.example"),
            KeyValuePair.Create("X_Forwarded_User", "admin"),
            KeyValuePair.Create("X-Forwarded-User", "alice"),
            KeyValuePair.Create("Accept", "a"),
            KeyValuePair.Create("Accept", "b"),
            KeyValuePair.Create("Cookie", "a=1"),
            KeyValuePair.Create("Cookie", "b=2"),
        ]);

        Assert.False(vars.ContainsKey("HTTP_PROXY"));
        Assert.Equal("alice", vars["HTTP_X_FORWARDED_USER"]);
        Assert.Equal("a, b", vars["HTTP_ACCEPT"]);
        Assert.Equal("a=1; b=2", vars["HTTP_COOKIE"]);
        Assert.False(vars.ContainsKey("HTTPS"));
        Assert.Equal("", vars["CONTENT_LENGTH"]);
    }

    [Fact]
    public void ExtraParams_SetOverGatehousesOwn() =>
        Assert.Equal("/custom", Build([], extra: [KeyValuePair.Create("DOCUMENT_ROOT", "/custom")])["DOCUMENT_ROOT"]);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    public void HostName_WithoutThePort(string host, string expected) => Assert.Equal(expected, CgiVariables.HostName(host));

    [Theory]
    [InlineData("fastcgi://127.0.0.1:9000", true)]
    [InlineData("fastcgi://php.internal:9000/", true)]
    [InlineData("unix:/run/php/php8.2-fpm.sock", true)]
    [InlineData("fastcgi://127.0.0.1", false)]
    [InlineData("http://127.0.0.1:9000", false)]
    [InlineData("unix:relative.sock", false)]
    [InlineData("fastcgi://127.0.0.1:9000/path", false)]
    public void Address_FastCgiOrUnix(string address, bool valid) => Assert.Equal(valid, FastCgiAddress.TryParse(address, out _));
}
