using Gatehouse.Tls;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Tests.Tls;

public sealed class InternalCertificateSourceTests : IDisposable
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "gatehouse-ca-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Certificate_IsRenewedAfterTwoThirdsOfItsLife_WithoutAnyCall()
    {
        var store = new CertificateStore();
        using var source = new InternalCertificateSource(store, _storage, ["dev.test"], _time, NullLogger<InternalCertificateSource>.Instance);
        var first = store.Select("dev.test")!.Certificate;

        _time.Advance(InternalCertificateAuthority.LeafLifetime * 2 / 3 - TimeSpan.FromMinutes(1));
        Assert.Equal(first.Thumbprint, store.Select("dev.test")!.Certificate.Thumbprint);

        _time.Advance(TimeSpan.FromMinutes(2));
        var renewed = store.Select("dev.test")!.Certificate;
        Assert.NotEqual(first.Thumbprint, renewed.Thumbprint);
        Assert.True(renewed.NotAfter > first.NotAfter);
    }

    [Fact]
    public void Configure_NewHosts_ReissuesForThem_NoHosts_RemovesTheCertificate()
    {
        var store = new CertificateStore();
        using var source = new InternalCertificateSource(store, _storage, ["a.test"], _time, NullLogger<InternalCertificateSource>.Instance);

        source.Configure(["b.test"]);
        Assert.False(store.HasCertificateFor("a.test"));
        Assert.True(store.HasCertificateFor("b.test"));

        source.Configure([]);
        Assert.Null(store.Select("b.test"));
    }

    public void Dispose() => Directory.Delete(_storage, recursive: true);
}
