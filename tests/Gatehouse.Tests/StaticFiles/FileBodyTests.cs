using Gatehouse.Lifecycle;
using Gatehouse.StaticFiles;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>
/// A file's bytes from its opened handle: read blocking on a pool thread, handed to the pool from any other thread
/// (a socket engine's own, under inline completions), with the same bytes either way.
/// </summary>
public sealed class FileBodyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gatehouse-filebody-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TheSameBytes_OnAPoolThread_AndOnAThreadOfItsOwn()
    {
        var content = new byte[200_000];
        new Random(7).NextBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), content, TestContext.Current.CancellationToken);
        var settings = Settings();

        var fromPool = await Task.Run(() => ReadAsync(settings, offset: 1000, count: 150_000), TestContext.Current.CancellationToken);
        var (fromOwnThread, wasPoolThread) = await OnAThreadOfItsOwn(() => ReadAsync(settings, offset: 1000, count: 150_000));

        Assert.False(wasPoolThread);
        Assert.Equal(content.AsSpan(1000, 150_000).ToArray(), fromPool);
        Assert.Equal(fromPool, fromOwnThread);
    }

    [Fact]
    public async Task AFileThatShrank_IsAnError_OnAThreadOfItsOwn()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "data.bin"), new byte[100], TestContext.Current.CancellationToken);

        var failure = await Assert.ThrowsAsync<IOException>(async () => await OnAThreadOfItsOwn(() => ReadAsync(Settings(), offset: 0, count: 300)));

        Assert.Contains("200 bytes early", failure.Message, StringComparison.Ordinal);
    }

    private async Task<byte[]> ReadAsync(RouteStaticFiles settings, long offset, long count)
    {
        using var file = OpenedFile.TryOpen(_root, "data.bin", settings)!;
        using var body = new MemoryStream();
        await FileBody.WriteAsync(file, offset, count, body, CancellationToken.None);
        return body.ToArray();
    }

    private RouteStaticFiles Settings()
    {
        var result = ConfigLoader.Parse($$"""
            {
              "listeners": [ { "port": 8080 } ],
              "routes": { "web": { "match": { "pathPrefix": "/" }, "files": { "root": "{{_root}}" } } }
            }
            """);
        Assert.Empty(result.Errors);
        return RouteStaticFiles.From(result.Config!.Routes["web"])!;
    }

    /// <summary>Starts <paramref name="work"/> on a new thread (not the pool's) and says whether it began on a pool thread.</summary>
    private static Task<(byte[] Bytes, bool WasPoolThread)> OnAThreadOfItsOwn(Func<Task<byte[]>> work)
    {
        var done = new TaskCompletionSource<(byte[], bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var wasPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            work().ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    done.SetResult((t.Result, wasPoolThread));
                }
                else
                {
                    done.SetException(t.Exception!.InnerExceptions);
                }
            }, TaskScheduler.Default);
        });
        thread.Start();
        return done.Task;
    }
}
