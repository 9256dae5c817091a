using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.StaticFiles;

/// <summary>
/// Every spelling of a way out of the root, sent as raw bytes (no client library normalising them) to a real Gatehouse
/// serving a folder that has a secret beside it, behind links and in dotfiles. None may show the secret; without a
/// fallback each is refused (400 at the edge) or not found (404).
/// </summary>
public sealed class StaticFilesTraversalTests : IDisposable
{
    private readonly StaticSite _site = new();

    public void Dispose() => _site.Dispose();

    public static TheoryData<string> Spellings() =>
    [
        "/../secret.txt",
        "/../www-private/secret.txt",
        "/../../../../../../etc/passwd",
        "/docs/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%2Fwww-private%2Fsecret.txt",
        "/docs/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/..%00/secret.txt",
        "/secret.txt%00.js",
        "/%00",
        "/..;/secret.txt",
        "/.../secret.txt",
        "/..%20/secret.txt",
        "//etc/passwd",
        "///../secret.txt",
        "/%2fetc%2fpasswd",
        "/%2Fetc/passwd",
        "/.env",
        "/%2eenv",
        "/.git/config",
        "/.git%2fconfig",
        "/%2egit/config",
        "/docs/../.env",
        "/outside-link.txt",
        "/outside-folder/secret.txt",
        "/outside-folder/",
        "/dot-link.txt",
        "/CON",
        "/AUX.txt",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "http://localhost/../secret.txt",
        "http://localhost/%2e%2e/secret.txt",
    ];

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task NoSpelling_LeavesTheRoot(string target)
    {
        await using var proxy = await TestProxy.StartAsync(StaticFilesTests.Config(_site.Root));

        var response = await RawHttp.SendAsync(proxy.Address, $"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.DoesNotContain(StaticSite.SecretMarker, response.Body);
        Assert.DoesNotContain("root:x:0:0", response.Body);
        Assert.Contains(response.Status, new[] { 400, 404 });
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task WithAFallback_NoSpelling_GetsMoreThanTheApp(string target)
    {
        await using var proxy = await TestProxy.StartAsync(StaticFilesTests.Config(_site.Root, """, "fallback": "/index.html" """));

        var response = await RawHttp.SendAsync(proxy.Address, $"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.DoesNotContain(StaticSite.SecretMarker, response.Body);
        Assert.DoesNotContain("root:x:0:0", response.Body);
        Assert.True(response.Status == 400 || (response.Status == 200 && response.Body == System.Text.Encoding.UTF8.GetString(StaticSite.Index)),
            $"{target}: {response.Status}");
    }

    [Fact]
    public async Task TheRootsOwnAbsolutePath_IsAPathUnderIt()
    {
        await using var proxy = await TestProxy.StartAsync(StaticFilesTests.Config(_site.Root));
        var response = await RawHttp.SendAsync(proxy.Address, $"GET {_site.Directory}/secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(404, response.Status);
        Assert.DoesNotContain(StaticSite.SecretMarker, response.Body);
    }
}
