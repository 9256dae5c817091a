using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public class HttpsRedirectTests
{
    [Theory]
    [InlineData("GET", 301)]
    [InlineData("HEAD", 301)]
    [InlineData("POST", 308)]
    [InlineData("PUT", 308)]
    [InlineData("OPTIONS", 308)]
    public void Status_301ForGetAndHead_308Otherwise(string method, int status) => Assert.Equal(status, HttpsRedirect.Status(method));

    [Theory]
    [InlineData("example.com", 443, "/a?b=c", "https://example.com/a?b=c")]
    [InlineData("example.com:80", 443, "/", "https://example.com/")]
    [InlineData("example.com:8080", 8443, "/x", "https://example.com:8443/x")]
    [InlineData("[::1]:8080", 8443, "/x", "https://[::1]:8443/x")]
    [InlineData("[::1]", 443, "/", "https://[::1]/")]
    [InlineData("127.0.0.1:80", 443, "", "https://127.0.0.1/")]
    public void Target_UsesTheHttpsListenersPort(string host, int port, string pathAndQuery, string expected) =>
        Assert.Equal(expected, HttpsRedirect.Target(host, port, pathAndQuery));

    [Theory]
    [InlineData("example.com:8080", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("[::1]:80", "[::1]")]
    public void HostWithoutPort(string host, string expected) => Assert.Equal(expected, HttpsRedirect.HostWithoutPort(host));
}
