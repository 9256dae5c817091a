using System.IO.Compression;
using System.Net;
using System.Text;
using Gatehouse.Compression;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Compression;

/// <summary>Response compression through a real Gatehouse in front of a real Kestrel backend (docs/compression.md).</summary>
public sealed class CompressionTests : IDisposable
{
    private static readonly byte[] Page = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"<p>line {i} of the page</p>\n")));
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("zstd", "zstd")]
    [InlineData("gzip, deflate, br, zstd", "zstd")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip;q=1.0, br;q=0.5, zstd;q=0.1", "gzip")]
    [InlineData("X-GZIP", "gzip")]
    [InlineData("*", "zstd")]
    [InlineData("zstd;q=0, *", "br")]
    [InlineData("identity;q=0, gzip", "gzip")]
    public async Task EachEncoding_IsNegotiated_AndDecodesToThePage(string acceptEncoding, string expected)
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using var response = await GetAsync(proxy.Client, "/page", acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([expected], response.Content.Headers.ContentEncoding);
        Assert.True(response.Headers.TransferEncodingChunked); // the encoded length is unknown until it is made
        Assert.False(response.Headers.Contains("Accept-Ranges"));
        Assert.Equal($"\"v1-{expected}\"", response.Headers.ETag!.ToString());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(Page, await DecodeAsync(response, expected));
    }

    // Unknown codings and refusals get the page as it is (with Vary: it would be encoded for another client). A client
    // that refuses identity and everything Gatehouse makes gets identity too rather than 406 (docs/compression.md).
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("compress, deflate")]
    [InlineData("identity")]
    [InlineData("gzip;q=0, br;q=0, zstd;q=0")]
    [InlineData("identity;q=0")]
    [InlineData("*;q=0")]
    [InlineData("gzip;q=0.5, identity")]
    public async Task NoAcceptableCoding_TheIdentityPage(string? acceptEncoding)
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using var response = await GetAsync(proxy.Client, "/page", acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(Page.Length, response.Content.Headers.ContentLength);
        Assert.Equal("\"v1\"", response.Headers.ETag!.ToString());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(Page, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/no-transform")]
    [InlineData("/image")]
    [InlineData("/small")]
    [InlineData("/encoded")]
    [InlineData("/range")]
    public async Task NotCompressed_PassesByteForByte(string path)
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend));
        var expected = await DirectAsync(backend, path);

        using var response = await GetAsync(proxy.Client, path, "gzip, br, zstd");

        Assert.Equal(expected.Encoding, string.Join(",", response.Content.Headers.ContentEncoding));
        Assert.Equal(expected.Body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(expected.Body.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task CompressionOff_NothingChanges()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backend)));

        using var response = await GetAsync(proxy.Client, "/page", "gzip, br");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.DoesNotContain("Accept-Encoding", response.Headers.Vary);
    }

    // The backend holds its last write until the test has read decompressed bytes: those cannot have come from a
    // buffered whole, so the response streams compressed.
    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task TenMegabytes_StreamCompressed_FirstBytesBeforeTheBackendsLast(string coding)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = Words(10 * 1024 * 1024);
        await using var backend = await TestBackend.StartAsync("stream", async context =>
        {
            context.Response.ContentType = "text/plain";
            var last = text.Length - 4096;
            for (var offset = 0; offset < last; offset += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(text.AsMemory(offset, Math.Min(64 * 1024, last - offset)));
            }
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.Body.WriteAsync(text.AsMemory(last));
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/stream");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        await using var decoded = Decoder(coding, await response.Content.ReadAsStreamAsync());
        var first = new byte[256 * 1024];
        await decoded.ReadExactlyAsync(first);
        Assert.False(release.Task.IsCompleted);
        release.SetResult();
        using var rest = new MemoryStream();
        await decoded.CopyToAsync(rest);

        Assert.Equal(text, first.Concat(rest.ToArray()).ToArray());
    }

    [Fact]
    public async Task Cached_AThousandBrotliRequests_OneCompression_OneBackendRequest()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached: true));
        var stats = proxy.Services.GetRequiredService<CompressionStats>();

        for (var i = 0; i < 1000; i++)
        {
            using var response = await GetAsync(proxy.Client, "/page", "br");
            Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
            Assert.Equal(Page, await DecodeAsync(response, "br"));
        }

        Assert.Equal(1, backend.Requests);
        Assert.Equal(1, stats.Total);
    }

    [Fact]
    public async Task Cached_AStoredIdentityPage_MakesTheEncodedVariant_WithoutTheBackend()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached: true));
        var stats = proxy.Services.GetRequiredService<CompressionStats>();

        using var identity = await GetAsync(proxy.Client, "/page", null);
        using var gzip = await GetAsync(proxy.Client, "/page", "gzip");
        using var again = await GetAsync(proxy.Client, "/page", "gzip");

        Assert.Empty(identity.Content.Headers.ContentEncoding);
        Assert.Equal(Page, await DecodeAsync(gzip, "gzip"));
        Assert.Equal(Page, await DecodeAsync(again, "gzip"));
        Assert.Equal("\"v1-gzip\"", again.Headers.ETag!.ToString());
        Assert.StartsWith("hit", again.Headers.GetValues("Cache-Status").Single().Split(';')[1].Trim(), StringComparison.Ordinal);
        Assert.Equal(1, backend.Requests);
        Assert.Equal(1, stats.FromStored);
        Assert.Equal(0, stats.FromBackend);
    }

    // Equivalent spellings of Accept-Encoding (case, spaces, order, weight spelling) are one variant (RFC 9111 §4.1): the
    // second request is a plain hit, not a Vary miss.
    [Fact]
    public async Task Cached_AnEquivalentSpellingOfAcceptEncoding_IsTheSameVariant()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached: true));
        var stats = proxy.Services.GetRequiredService<CompressionStats>();

        using var first = await GetAsync(proxy.Client, "/page", "gzip, br;q=0.5");
        using var second = await GetAsync(proxy.Client, "/page", "BR;q=0.50,GZIP;q=1.0");

        Assert.Equal(Page, await DecodeAsync(second, "gzip"));
        Assert.Equal("hit", second.Headers.GetValues("Cache-Status").Single().Split(';')[1].Trim());
        Assert.Equal(1, backend.Requests);
        Assert.Equal(1, stats.Total);
    }

    // Spellings that differ in meaning are variants of their own in the cache, but one that chooses an encoding already
    // stored gets that one, neither compressed again nor fetched.
    [Fact]
    public async Task Cached_AnotherSpellingOfAcceptEncoding_GetsTheStoredEncoding()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached: true));
        var stats = proxy.Services.GetRequiredService<CompressionStats>();

        using var first = await GetAsync(proxy.Client, "/page", "gzip, deflate, br");
        using var second = await GetAsync(proxy.Client, "/page", "br;q=1, gzip;q=0.5");
        using var third = await GetAsync(proxy.Client, "/page", "br;q=1, gzip;q=0.5");

        Assert.Equal(Page, await DecodeAsync(first, "br"));
        Assert.Equal(Page, await DecodeAsync(second, "br"));
        Assert.Equal(Page, await DecodeAsync(third, "br"));
        Assert.Equal("\"v1-br\"", second.Headers.ETag!.ToString());
        Assert.StartsWith("hit", third.Headers.GetValues("Cache-Status").Single().Split(';')[1].Trim(), StringComparison.Ordinal);
        Assert.Equal(1, backend.Requests);
        Assert.Equal(1, stats.Total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConditionalRequest_OnAnEncodedETag_Is304_WithThatETag(bool cached)
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached));

        using var first = await GetAsync(proxy.Client, "/page", "br");
        var etag = first.Headers.ETag!.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/page");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var conditional = await proxy.Client.SendAsync(request);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/page");
        other.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        other.Headers.TryAddWithoutValidation("If-None-Match", "\"v0-br\"");
        using var changed = await proxy.Client.SendAsync(other);

        Assert.Equal("\"v1-br\"", etag);
        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        Assert.Equal(etag, conditional.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(Page, await DecodeAsync(changed, "br"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("zstd")]
    public async Task Http2_TheSame(string coding)
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(_pki.WithTls(Config(backend)));
        using var client = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) } })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy.Address, "/page")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("Accept-Encoding", coding);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal([coding], response.Content.Headers.ContentEncoding);
        Assert.Equal(Page, await DecodeAsync(response, coding));
    }

    // HEAD gets the header section a GET would get (RFC 9110 §9.3.2): the coding, its ETag, no length.
    [Fact]
    public async Task Head_TheHeadersOfTheEncodedGet()
    {
        await using var backend = await PageBackendAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend));

        using var request = new HttpRequestMessage(HttpMethod.Head, "/page");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
        Assert.Equal("\"v1-br\"", response.Headers.ETag!.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    // A response that varies on more than Accept-Encoding may differ in more than its coding: its encoded variant comes
    // from the backend, not from the stored identity one.
    [Fact]
    public async Task Cached_AVariantThatVariesOnMore_IsNotEncodedFromStore()
    {
        await using var backend = await TestBackend.StartAsync("origin", async context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            context.Response.Headers.Vary = "Accept-Language";
            context.Response.ContentType = "text/html";
            await context.Response.Body.WriteAsync(Page);
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend, cached: true));
        var stats = proxy.Services.GetRequiredService<CompressionStats>();

        using var identity = await GetAsync(proxy.Client, "/page", null);
        using var gzip = await GetAsync(proxy.Client, "/page", "gzip");

        Assert.Equal(["Accept-Language", "Accept-Encoding"], identity.Headers.Vary);
        Assert.Equal(Page, await DecodeAsync(gzip, "gzip"));
        Assert.Equal(2, backend.Requests);
        Assert.Equal(0, stats.FromStored);
        Assert.Equal(1, stats.FromBackend);
    }

    [Fact]
    public async Task RequestBodies_AreNotDecoded()
    {
        var received = new TaskCompletionSource<(string? Encoding, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("echo", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.TrySetResult((context.Request.Headers.ContentEncoding.ToString(), body.ToArray()));
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend));
        var gzipped = Encode(Page);

        using var content = new ByteArrayContent(gzipped);
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await proxy.Client.PostAsync("/upload", content);
        var (encoding, body) = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("gzip", encoding);
        Assert.Equal(gzipped, body);
    }

    private static string Config(TestBackend backend, bool cached = false) => Configs.SingleCluster(
        Configs.Destinations(backend),
        routeExtra: cached ? ", \"cache\": { \"enabled\": true }" : "",
        rootExtra: ", \"compression\": { \"enabled\": true }");

    private static Task<TestBackend> PageBackendAsync() => TestBackend.StartAsync("origin", async context =>
    {
        var response = context.Response;
        var path = context.Request.Path.Value;
        response.Headers.CacheControl = "max-age=600";
        switch (path)
        {
            case "/no-transform":
                response.Headers.CacheControl = "max-age=600, no-transform";
                break;
            case "/image":
                response.ContentType = "image/png";
                response.ContentLength = Page.Length;
                await response.Body.WriteAsync(Page);
                return;
            case "/small":
                response.ContentType = "text/html";
                response.ContentLength = 500;
                await response.Body.WriteAsync(Page.AsMemory(0, 500));
                return;
            case "/encoded":
                var encoded = Encode(Page);
                response.ContentType = "text/html";
                response.Headers.ContentEncoding = "gzip";
                response.ContentLength = encoded.Length;
                await response.Body.WriteAsync(encoded);
                return;
        }
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ETag = "\"v1\"";
        response.Headers.AcceptRanges = "bytes";
        if (context.Request.Headers.IfNoneMatch.ToString() == "\"v1\"")
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentLength = Page.Length;
        await response.Body.WriteAsync(Page);
    });

    private static async Task<(string Encoding, byte[] Body)> DirectAsync(TestBackend backend, string path)
    {
        using var client = new HttpClient { BaseAddress = backend.Address };
        using var response = await GetAsync(client, path, "gzip, br, zstd");
        return (string.Join(",", response.Content.Headers.ContentEncoding), await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        if (path == "/range")
        {
            request.RequestUri = new Uri("/page", UriKind.Relative);
            request.Headers.TryAddWithoutValidation("Range", "bytes=0-99");
        }
        return await client.SendAsync(request);
    }

    private static async Task<byte[]> DecodeAsync(HttpResponseMessage response, string coding)
    {
        await using var decoded = Decoder(coding, await response.Content.ReadAsStreamAsync());
        using var body = new MemoryStream();
        await decoded.CopyToAsync(body);
        return body.ToArray();
    }

    private static Stream Decoder(string coding, Stream encoded) => coding switch
    {
        "gzip" => new GZipStream(encoded, CompressionMode.Decompress),
        "br" => new BrotliStream(encoded, CompressionMode.Decompress),
        _ => new ZstdSharp.DecompressionStream(encoded),
    };

    private static byte[] Encode(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }
        return output.ToArray();
    }

    /// <summary>Text that compresses like prose (about 3:1), not like one repeated line.</summary>
    private static byte[] Words(int length)
    {
        var random = new Random(16);
        string[] words = ["proxy", "cache", "gate", "house", "stream", "brotli", "header", "request", "vary", "encoding", "the", "a", "of"];
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            text.Append(words[random.Next(words.Length)]).Append(random.Next(1000)).Append(random.Next(8) == 0 ? '\n' : ' ');
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }
}
