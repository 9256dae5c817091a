using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>A miss streams to the client as it arrives; a body past the store's entry limit is not stored.</summary>
public class HttpCacheStreamingTests
{
    private const int FirstChunk = 64 * 1024;
    private const int BodyLength = 50 * 1024 * 1024;

    [Fact]
    public async Task FiftyMegabyteBody_StreamsBeforeTheOriginFinishes_AndIsNotStored()
    {
        var store = new TestStore(maxEntryBytes: 1024 * 1024);
        await using var host = await CacheHost.StartAsync(store);
        var clientHasFirstBytes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Origin.Map("/big", async (context, number) =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.ContentLength = BodyLength;
            var chunk = new byte[FirstChunk];
            await context.Response.Body.WriteAsync(chunk);
            await context.Response.Body.FlushAsync();
            if (number == 1)
            {
                // The rest only comes once the client has received the first chunk through the cache.
                await clientHasFirstBytes.Task;
            }
            for (var sent = FirstChunk; sent < BodyLength; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, BodyLength - sent)));
            }
        });

        using var response = await host.Client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var buffer = new byte[1024 * 1024];
        long received = 0;
        while (received < FirstChunk)
        {
            var read = await body.ReadAsync(buffer, TestContext.Current.CancellationToken);
            Assert.NotEqual(0, read);
            received += read;
        }
        clientHasFirstBytes.SetResult();
        int count;
        while ((count = await body.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            received += count;
        }

        Assert.Equal(BodyLength, received);
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200", response.CacheStatus());
        Assert.Equal(0, store.Statistics.Entries);
        using var second = await host.Client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(2, host.Origin.Requests("/big"));
    }

    [Fact]
    public async Task BodyWithoutLength_PastTheLimit_StreamsAndIsNotStored()
    {
        var store = new TestStore(maxEntryBytes: 64 * 1024);
        await using var host = await CacheHost.StartAsync(store);
        host.Origin.Map("/chunked", async (context, _) =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            var chunk = new byte[16 * 1024];
            for (var i = 0; i < 10; i++)
            {
                await context.Response.Body.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        });

        using var response = await host.GetAsync("/chunked");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(160 * 1024, (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)).Length);
        // Without Content-Length the size is only known at the end: the header section does not say "stored" up front.
        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; ttl=60", response.CacheStatus());
        Assert.Equal(0, store.Statistics.Entries);
    }
}
