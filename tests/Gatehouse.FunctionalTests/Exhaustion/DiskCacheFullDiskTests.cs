using System.Net;
using Gatehouse.Caching.Storage;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Exhaustion;

/// <summary>The disk tier of the HTTP cache on a file system that fills up and then has room again (a real 1 MB tmpfs).</summary>
public sealed class DiskCacheFullDiskTests
{
    private const int BodyBytes = 20_000;

    [Fact]
    public async Task FullDisk_ResponsesAreServedNotStored_OneWarning_AndStoringResumesWithRoom()
    {
        using var disk = SmallTmpfs.Mount("1m");
        var cacheDirectory = Path.Combine(disk.Path, "cache");
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return context.Response.WriteAsync(BodyOf(context.Request.Path));
        });
        var config = $$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "cache": { "maxBytes": "4MB", "maxEntryBytes": "1MB", "diskPath": "{{cacheDirectory}}", "diskMaxBytes": "100MB" },
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" }, "cache": { "enabled": true } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """;
        var logs = new CapturedLogs();
        var proxy = await TestProxy.StartAsync(config, builder => builder.Logging.AddProvider(logs));
        try
        {
            var store = Assert.IsType<TieredHttpCacheStore>(proxy.Services.GetRequiredService<IHttpCacheStore>());
            disk.Fill();
            for (var i = 0; i < 10; i++)
            {
                await GetAsync(proxy, $"/full/{i}");
            }

            await store.FlushAsync();
            Assert.Empty(Directory.EnumerateFiles(cacheDirectory)); // nothing stored, nothing half-written left behind
            Assert.Equal(10, ((DiskHttpCacheStore)store.SecondTier).WriteFailures);
            Assert.Single(DiskCacheWarnings(logs));
            Assert.Contains("writing an entry failed", DiskCacheWarnings(logs).Single(), StringComparison.Ordinal);

            disk.Free();
            for (var i = 0; i < 5; i++)
            {
                await GetAsync(proxy, $"/after/{i}");
            }

            await store.FlushAsync();
            Assert.Equal(5, Directory.EnumerateFiles(cacheDirectory, "*.entry").Count());
            Assert.Empty(Directory.EnumerateFiles(cacheDirectory, "*.tmp"));
            Assert.Equal(2, DiskCacheWarnings(logs).Count);
            Assert.Contains("storing again; 10 entries were not stored", DiskCacheWarnings(logs)[1], StringComparison.Ordinal);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        // A new process over the same directory: what was stored is served from the disk, whole; what was not is fetched.
        await using var restarted = await TestProxy.StartAsync(config);
        var fetchedBefore = backend.Requests;
        using (var hit = await GetAsync(restarted, "/after/3"))
        {
            Assert.StartsWith("Gatehouse; hit", hit.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        }

        Assert.Equal(fetchedBefore, backend.Requests);
        using (var miss = await GetAsync(restarted, "/full/3"))
        {
            Assert.Contains("fwd=", string.Join(",", miss.Headers.GetValues("Cache-Status")), StringComparison.Ordinal);
        }

        Assert.Equal(fetchedBefore + 1, backend.Requests);
    }

    private static string BodyOf(PathString path) => string.Concat(Enumerable.Repeat(path.Value + ";", BodyBytes / (path.Value!.Length + 1)));

    private static List<string> DiskCacheWarnings(CapturedLogs logs) =>
        [.. logs.AtLeast(LogLevel.Warning).Where(w => w.Contains("Disk cache", StringComparison.Ordinal))];

    private static async Task<HttpResponseMessage> GetAsync(TestProxy proxy, string path)
    {
        // One host name for both processes (each listens on a port of its own): the cache key includes the host.
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = "cache.example" } };
        var response = await proxy.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BodyOf(path), await response.Content.ReadAsStringAsync());
        return response;
    }
}
