using Gatehouse.Acme.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Acme.Tests.Storage;

public sealed class FileAcmeStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gatehouse-acme-store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task WriteThenRead_RoundTrips_AndMissingIsNull()
    {
        var store = new FileAcmeStore(_directory);

        await store.WriteAsync("a.pem", [1, 2, 3], TestContext.Current.CancellationToken);
        await store.WriteAsync("a.pem", [4, 5], TestContext.Current.CancellationToken);

        Assert.Equal([4, 5], await store.ReadAsync("a.pem", TestContext.Current.CancellationToken));
        Assert.Null(await store.ReadAsync("missing.pem", TestContext.Current.CancellationToken));
        Assert.Equal(["a.pem"], Directory.GetFiles(_directory).Select(Path.GetFileName)); // no temporary file left behind
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // POSIX permissions; Gatehouse runs on Linux
    public async Task Directory_Is0700_AndFiles0600_EvenWhenTheDirectoryExistedWider()
    {
        Directory.CreateDirectory(_directory);
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101); // 0755

        var store = new FileAcmeStore(_directory);
        await store.WriteAsync("account.key.pem", [1], TestContext.Current.CancellationToken);
        await using (await store.LockAsync("account", TestContext.Current.CancellationToken))
        {
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "account.key.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, "account.lock")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task NamesThatCouldLeaveTheDirectory_AreRefused(string name)
    {
        var store = new FileAcmeStore(_directory);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(name, [1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Lock_IsExclusiveAcrossStoreInstances_UntilReleased()
    {
        // Two instances over one directory stand for two processes: only the file lock keeps them apart.
        var time = new FakeTimeProvider();
        var first = new FileAcmeStore(_directory, time);
        var second = new FileAcmeStore(_directory, time);
        var held = await first.LockAsync("certificate-x", TestContext.Current.CancellationToken);

        var waiting = second.LockAsync("certificate-x", TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        time.Advance(second.LockPollInterval); // the next poll still finds it held
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        time.Advance(second.LockPollInterval);
        await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotNull(acquired);
    }

    [Fact]
    public async Task Lock_InOneProcess_QueuesWaiters_WithoutPolling()
    {
        var store = new FileAcmeStore(_directory, new FakeTimeProvider());
        var held = await store.LockAsync("account", TestContext.Current.CancellationToken);

        var waiting = store.LockAsync("account", TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();

        await using var acquired = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotNull(acquired);
    }

    [Fact]
    public void StoreNames_SeparateDirectories_AndSanitiseHosts()
    {
        var production = AcmeStoreNames.AccountKey(new Uri(AcmeOptions.LetsEncryptProduction));
        var staging = AcmeStoreNames.AccountKey(new Uri(AcmeOptions.LetsEncryptStaging));

        Assert.NotEqual(production, staging);
        Assert.True(AcmeStoreNames.IsValid(production));
        Assert.Equal("certificate-_.gatehouse.test.pem", AcmeStoreNames.Certificate("*.Gatehouse.test"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
