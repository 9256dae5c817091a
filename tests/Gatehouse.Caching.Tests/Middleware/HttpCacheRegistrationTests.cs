using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Caching.Tests.Middleware;

public class HttpCacheRegistrationTests
{
    [Fact]
    public void UseHttpCache_WithoutAddHttpCache_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton<IHttpCacheSettingsProvider>(new NoSettings());
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseHttpCache());

        Assert.Contains("AddHttpCache", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseHttpCache_WithoutASettingsProvider_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddHttpCache();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseHttpCache());

        Assert.Contains(nameof(IHttpCacheSettingsProvider), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostsStoreAndClock_WinOverTheDefaults_WhateverTheOrder()
    {
        var store = new TestStore();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var before = new ServiceCollection().AddSingleton<IHttpCacheStore>(store).AddSingleton<TimeProvider>(clock).AddHttpCache();
        var after = new ServiceCollection().AddHttpCache().AddSingleton<IHttpCacheStore>(store).AddSingleton<TimeProvider>(clock);

        using var first = before.BuildServiceProvider();
        using var second = after.BuildServiceProvider();

        Assert.Same(store, first.GetRequiredService<IHttpCacheStore>());
        Assert.Same(store, second.GetRequiredService<IHttpCacheStore>());
        Assert.Same(clock, first.GetRequiredService<TimeProvider>());
        Assert.Same(clock, second.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Defaults_AreAMemoryStoreSizedByTheOptions_AndTheSystemClock()
    {
        using var services = new ServiceCollection().AddLogging().AddHttpCache(o => o.MaxEntryBytes = 4096).BuildServiceProvider();

        Assert.Equal(4096, services.GetRequiredService<IHttpCacheStore>().MaxEntryBytes);
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    private sealed class NoSettings : IHttpCacheSettingsProvider
    {
        public HttpCacheRouteSettings? GetSettings(HttpContext context) => null;
    }
}
