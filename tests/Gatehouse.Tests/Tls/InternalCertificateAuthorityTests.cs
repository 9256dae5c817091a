using System.Security.Cryptography.X509Certificates;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public sealed class InternalCertificateAuthorityTests : IDisposable
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "gatehouse-ca-" + Guid.NewGuid().ToString("N"));
    private readonly FixedClock _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Issue_ShortLivedLeafForTheHosts_ChainingToTheStoredRoot()
    {
        using var ca = InternalCertificateAuthority.OpenOrCreate(_storage, _time);
        var leaf = ca.Issue(["dev.test", "*.dev.test", "127.0.0.1"], _time).Certificate;

        Assert.Equal(["dev.test", "*.dev.test", "127.0.0.1"], PemFiles.Names(leaf));
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(_time.GetUtcNow().Add(InternalCertificateAuthority.LeafLifetime).UtcDateTime, leaf.NotAfter.ToUniversalTime());
        Assert.Null(PemFiles.ServerUsageProblem(leaf));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(ca.RootPath));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        Assert.True(chain.Build(leaf));
    }

    [Fact]
    public void OpenOrCreate_SecondTime_ReusesTheSameRoot_AndKeepsTheKeyPrivate()
    {
        string first;
        using (var ca = InternalCertificateAuthority.OpenOrCreate(_storage, _time))
        {
            first = ca.Root.Thumbprint;
        }

        var key = Path.Combine(_storage, "internal", "root.key");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        using var again = InternalCertificateAuthority.OpenOrCreate(_storage, _time);

        Assert.Equal(first, again.Root.Thumbprint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    public void Dispose() => Directory.Delete(_storage, recursive: true);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
