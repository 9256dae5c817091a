using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.StaticFiles;

/// <summary>A files route through a real Gatehouse (docs/static-files.md): validators, conditions, ranges, siblings, fallback.</summary>
public sealed class StaticFilesTests : IDisposable
{
    private readonly StaticSite _site = new();

    public void Dispose() => _site.Dispose();

    internal static string Config(string root, string files = "", string cluster = "", string clusters = "") => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": { "site": { {{cluster}} "match": { "pathPrefix": "/" }, "files": { "root": "{{root}}" {{files}} } } }
          {{clusters}}
        }
        """;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Get_TheFileWithStrongValidators_TypeAndLength()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));

        using var response = await proxy.Client.GetAsync("/app.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(StaticSite.Script.Length, response.Content.Headers.ContentLength);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(_site.Root, "app.js"))).ToUnixTimeSeconds(),
            response.Content.Headers.LastModified!.Value.ToUnixTimeSeconds());
        Assert.Equal(["bytes"], response.Headers.AcceptRanges);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(StaticSite.Script, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_TheSameHeaders_NoBody()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        using var get = await proxy.Client.GetAsync("/big.bin");

        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/big.bin"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(StaticSite.Big.Length, head.Content.Headers.ContentLength);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal("application/octet-stream", head.Content.Headers.ContentType!.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(StaticSite.Big.Length, (await get.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task OneMebibyte_ArrivesWhole()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        Assert.Equal(StaticSite.Big, await proxy.Client.GetByteArrayAsync("/big.bin"));
    }

    [Fact]
    public async Task Conditionals_304And412_Rfc9110_13()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root, """, "cacheControl": "public, max-age=60" """));
        using var first = await proxy.Client.GetAsync("/notes.txt");
        var etag = first.Headers.ETag!.Tag;
        var lastModified = first.Content.Headers.LastModified!.Value.ToString("R");

        using var byTag = await SendAsync(proxy.Client, "/notes.txt", ("If-None-Match", $"\"x\", {etag}"));
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Equal(etag, byTag.Headers.ETag!.Tag);
        Assert.Equal("public, max-age=60", byTag.Headers.CacheControl!.ToString());
        Assert.Empty(await byTag.Content.ReadAsByteArrayAsync());

        using var byDate = await SendAsync(proxy.Client, "/notes.txt", ("If-Modified-Since", lastModified));
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);

        using var tagWins = await SendAsync(proxy.Client, "/notes.txt", ("If-None-Match", "\"x\""), ("If-Modified-Since", lastModified));
        Assert.Equal(HttpStatusCode.OK, tagWins.StatusCode);

        using var ifMatch = await SendAsync(proxy.Client, "/notes.txt", ("If-Match", "\"x\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, ifMatch.StatusCode);
        using var ifMatchHolds = await SendAsync(proxy.Client, "/notes.txt", ("If-Match", etag));
        Assert.Equal(HttpStatusCode.OK, ifMatchHolds.StatusCode);

        using var unmodified = await SendAsync(proxy.Client, "/notes.txt", ("If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"));
        Assert.Equal(HttpStatusCode.PreconditionFailed, unmodified.StatusCode);
    }

    [Fact]
    public async Task AChangedFile_GetsANewETag_AndTheOldOneNoLonger304s()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        using var first = await proxy.Client.GetAsync("/notes.txt");
        _site.Write("notes.txt", Encoding.UTF8.GetBytes("changed 0123456789"));

        using var again = await SendAsync(proxy.Client, "/notes.txt", ("If-None-Match", first.Headers.ETag!.Tag));

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(first.Headers.ETag.Tag, again.Headers.ETag!.Tag);
        Assert.Equal("changed 0123456789", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ranges_One_Several_Unsatisfiable_IfRange_Rfc9110_14()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        using var full = await proxy.Client.GetAsync("/notes.txt");
        var etag = full.Headers.ETag!.Tag;

        using var one = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=2-5"));
        Assert.Equal(HttpStatusCode.PartialContent, one.StatusCode);
        Assert.Equal("bytes 2-5/20", one.Content.Headers.ContentRange!.ToString());
        Assert.Equal("2345", await one.Content.ReadAsStringAsync());

        using var suffix = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=-3"));
        Assert.Equal("hij", await suffix.Content.ReadAsStringAsync());

        using var several = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=0-1, 10-11, 1-2"));
        Assert.Equal(HttpStatusCode.PartialContent, several.StatusCode);
        Assert.Equal("multipart/byteranges", several.Content.Headers.ContentType!.MediaType);
        var boundary = several.Content.Headers.ContentType.Parameters.Single(p => p.Name == "boundary").Value!;
        var body = await several.Content.ReadAsStringAsync();
        Assert.Equal(body.Length, several.Content.Headers.ContentLength);
        Assert.Equal(
            $"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 0-2/20\r\n\r\n012"
            + $"\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes 10-11/20\r\n\r\nab"
            + $"\r\n--{boundary}--\r\n", body);

        using var unsatisfiable = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=20-"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */20", unsatisfiable.Content.Headers.ContentRange!.ToString());

        using var ifRangeHolds = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=0-0"), ("If-Range", etag));
        Assert.Equal(HttpStatusCode.PartialContent, ifRangeHolds.StatusCode);
        using var ifRangeFails = await SendAsync(proxy.Client, "/notes.txt", ("Range", "bytes=0-0"), ("If-Range", "\"old\""));
        Assert.Equal(HttpStatusCode.OK, ifRangeFails.StatusCode);
        Assert.Equal(20, (await ifRangeFails.Content.ReadAsByteArrayAsync()).Length);

        using var bigRange = await SendAsync(proxy.Client, "/big.bin", ("Range", "bytes=100000-899999"));
        Assert.Equal(StaticSite.Big[100000..900000], await bigRange.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("br", "br", "app.js.br")]
    [InlineData("gzip, deflate, br, zstd", "br", "app.js.br")] // no .zst sibling: the next the client accepts
    [InlineData("gzip", "gzip", "app.js.gz")]
    [InlineData("br;q=0.5, gzip", "gzip", "app.js.gz")]
    [InlineData("zstd", null, "app.js")]
    [InlineData("identity", null, "app.js")]
    [InlineData("", null, "app.js")]
    public async Task PrecompressedSiblings_ChosenByAcceptEncoding(string acceptEncoding, string? coding, string sent)
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));

        using var response = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", acceptEncoding));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(coding is null ? [] : [coding], response.Content.Headers.ContentEncoding);
        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(_site.Read(sent), await response.Content.ReadAsByteArrayAsync());
        if (coding is not null)
        {
            using var identity = await proxy.Client.GetAsync("/app.js");
            Assert.NotEqual(identity.Headers.ETag, response.Headers.ETag); // each representation its own tag (RFC 9110 §8.8.3)
            using var revalidated = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", acceptEncoding), ("If-None-Match", response.Headers.ETag!.Tag));
            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        }
    }

    [Fact]
    public async Task PrecompressedSiblings_NotForRanges_NorWhenOff()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        using var range = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", "br"), ("Range", "bytes=0-9"));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Empty(range.Content.Headers.ContentEncoding);
        Assert.Equal(StaticSite.Script[..10], await range.Content.ReadAsByteArrayAsync());

        await using var off = await TestProxy.StartAsync(Config(_site.Root, """, "precompressed": [] """));
        using var plain = await SendAsync(off.Client, "/app.js", ("Accept-Encoding", "br"));
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", plain.Headers.Vary);
        Assert.Equal(StaticSite.Script, await plain.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task WithCompressionAndTheCache_SiblingsPassAsTheyAre_OthersAreEncoded_HitsComeFromTheCache()
    {
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": { "site": { "match": { "pathPrefix": "/" }, "compression": { "enabled": true }, "cache": { "enabled": true },
                "files": { "root": "{{_site.Root}}", "precompressed": ["br"], "cacheControl": "public, max-age=60" } } }
            }
            """);

        using var sibling = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", "br"));
        Assert.Equal(["br"], sibling.Content.Headers.ContentEncoding);
        Assert.Equal(_site.Read("app.js.br"), await sibling.Content.ReadAsByteArrayAsync()); // not encoded twice

        using var encoded = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", "gzip"));
        Assert.Equal(["gzip"], encoded.Content.Headers.ContentEncoding); // no .gz sibling on this route: compressed on the fly
        using var gzip = new System.IO.Compression.GZipStream(await encoded.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var decoded = new MemoryStream();
        await gzip.CopyToAsync(decoded);
        Assert.Equal(StaticSite.Script, decoded.ToArray());

        using var hit = await SendAsync(proxy.Client, "/app.js", ("Accept-Encoding", "br"));
        Assert.Contains("hit", string.Join(",", hit.Headers.GetValues("Cache-Status")));
        Assert.Equal(_site.Read("app.js.br"), await hit.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task IndexFiles_AndTheSlashRedirect()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));

        Assert.Equal(StaticSite.Index, await proxy.Client.GetByteArrayAsync("/"));
        Assert.Equal("<p>docs</p>\n", await proxy.Client.GetStringAsync("/docs/"));
        var redirect = await RawHttp.SendAsync(proxy.Address, "GET /docs?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(301, redirect.Status);
        Assert.True(redirect.HasHeader("Location", "/docs/?x=1"));
        using var empty = await proxy.Client.GetAsync("/empty/"); // no index, and no listings
        Assert.Equal(HttpStatusCode.NotFound, empty.StatusCode);
        using var emptyNoSlash = await proxy.Client.GetAsync("/empty");
        Assert.Equal(HttpStatusCode.NotFound, emptyNoSlash.StatusCode);
    }

    [Fact]
    public async Task SinglePageAppFallback_ForPathsNoFileAnswers()
    {
        await using var withFallback = await TestProxy.StartAsync(Config(_site.Root, """, "fallback": "/index.html" """));
        using var route = await withFallback.Client.GetAsync("/settings/profile");
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Equal("text/html; charset=utf-8", route.Content.Headers.ContentType!.ToString());
        Assert.Equal(StaticSite.Index, await route.Content.ReadAsByteArrayAsync());
        Assert.Equal(StaticSite.Script, await withFallback.Client.GetByteArrayAsync("/app.js")); // real files first
        using var hidden = await withFallback.Client.GetAsync("/.env"); // a hidden file is a missing one: the app, not the secret
        Assert.DoesNotContain(StaticSite.SecretMarker, await hidden.Content.ReadAsStringAsync());

        await using var without = await TestProxy.StartAsync(Config(_site.Root));
        using var missing = await without.Client.GetAsync("/settings/profile");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no such file", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OtherMethods_405WithAllow()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        using var post = await proxy.Client.PostAsync("/app.js", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
    }

    [Fact]
    public async Task WithACluster_MissesAndOtherMethodsGoToTheBackend_FilesDoNot()
    {
        await using var backend = await TestBackend.StartAsync("api", c => c.Response.WriteAsync($"backend {c.Request.Method} {c.Request.Path}"));
        const string cluster = "\"clusterId\": \"c\",";
        var clusters = $$""", "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }""";
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root, "", cluster, clusters));

        Assert.Equal(StaticSite.Script, await proxy.Client.GetByteArrayAsync("/app.js"));
        Assert.Equal(0, backend.Requests);
        Assert.Equal("backend GET /api/users", await proxy.Client.GetStringAsync("/api/users"));
        using var post = await proxy.Client.PostAsync("/app.js", new StringContent("x"));
        Assert.Equal("backend POST /app.js", await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Links_InsideTheRootServed_OutsideRefusedUnlessAllowed()
    {
        await using var proxy = await TestProxy.StartAsync(Config(_site.Root));
        Assert.Equal(StaticSite.Script, await proxy.Client.GetByteArrayAsync("/inside-link.js"));
        foreach (var path in new[] { "/outside-link.txt", "/outside-folder/secret.txt", "/dot-link.txt" })
        {
            using var refused = await proxy.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.DoesNotContain(StaticSite.SecretMarker, await refused.Content.ReadAsStringAsync());
        }

        await using var following = await TestProxy.StartAsync(Config(_site.Root, """, "followSymlinksOutsideRoot": true """));
        Assert.Contains("outside the root", await following.Client.GetStringAsync("/outside-link.txt"));
    }

    [Fact]
    public async Task ARootReachedThroughALink_IsServed()
    {
        var current = Path.Combine(_site.Directory, "current");
        Directory.CreateSymbolicLink(current, _site.Root);
        await using var proxy = await TestProxy.StartAsync(Config(current));
        Assert.Equal(StaticSite.Script, await proxy.Client.GetByteArrayAsync("/app.js"));
    }
}
