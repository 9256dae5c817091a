using System.Net.Security;
using System.Security.Authentication;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public class TlsProtocolPolicyTests
{
    [Fact]
    public void Protocols_NeverBelowTls12()
    {
#pragma warning disable SYSLIB0039, CA5397 // the old protocols are named to check they are absent
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, TlsProtocolPolicy.Protocols("1.2"));
        Assert.Equal(SslProtocols.Tls13, TlsProtocolPolicy.Protocols("1.3"));
        Assert.Equal(SslProtocols.None, TlsProtocolPolicy.Protocols("1.2") & (SslProtocols.Tls | SslProtocols.Tls11));
#pragma warning restore SYSLIB0039, CA5397
    }

    [Fact]
    public void CipherSuites_AreAllAeadAndForwardSecret()
    {
        var suites = TlsProtocolPolicy.CipherSuites("1.2");

        Assert.All(suites, s => Assert.False(TlsProtocolPolicy.IsWeak(s), s.ToString()));
        Assert.All(TlsProtocolPolicy.Tls12CipherSuites, s => Assert.StartsWith("TLS_ECDHE_", s.ToString(), StringComparison.Ordinal));
        Assert.All(suites, s => Assert.Matches("_GCM_|_CHACHA20_POLY1305_", s.ToString()));
    }

    [Fact]
    public void CipherSuites_MinTls13_OnlyTls13Suites()
    {
        Assert.Equal(TlsProtocolPolicy.Tls13CipherSuites, TlsProtocolPolicy.CipherSuites("1.3"));
    }

    [Fact]
    public void CipherSuites_KeepTls13Suites_SoTls13StillWorksUnderThePolicy()
    {
        Assert.Subset(TlsProtocolPolicy.CipherSuites("1.2").ToHashSet(), TlsProtocolPolicy.Tls13CipherSuites.ToHashSet());
    }

    [Theory]
    [InlineData(TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_RC4_128_SHA)]
    [InlineData(TlsCipherSuite.TLS_ECDHE_RSA_WITH_NULL_SHA)]
    [InlineData(TlsCipherSuite.TLS_RSA_EXPORT_WITH_RC4_40_MD5)]
    [InlineData(TlsCipherSuite.TLS_DH_anon_WITH_AES_128_GCM_SHA256)]
    public void IsWeak_RecognisesWhatTheListExcludes(TlsCipherSuite suite) => Assert.True(TlsProtocolPolicy.IsWeak(suite));

    [Fact]
    public void CipherSuitesPolicy_IsCreatedOnLinux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), TlsProtocolPolicy.CreateCipherSuitesPolicy("1.2") is not null);
    }

    [Theory]
    [InlineData(true, "none", true)]
    [InlineData(false, "none", false)] // no cipher-suite policy (not Linux): the platform's own behaviour
    [InlineData(true, "allow", false)] // client certificates: never resumed
    [InlineData(true, "require", false)]
    public void ResumesTls13_OnlyWithThePolicyAndNoClientCertificates(bool policy, string mode, bool expected) =>
        Assert.Equal(expected, TlsProtocolPolicy.ResumesTls13(policy, mode));

    [Theory]
    [InlineData(true, "1.2", true, TlsHandshakeMode.Tls13Resumable)]
    [InlineData(true, "1.2", false, TlsHandshakeMode.Hardened)] // a TLS 1.2 client (or an unreadable ClientHello)
    [InlineData(true, "1.3", false, TlsHandshakeMode.Tls13Resumable)] // 1.3 is all there is
    [InlineData(false, "1.2", true, TlsHandshakeMode.Hardened)]
    [InlineData(false, "1.3", true, TlsHandshakeMode.Hardened)]
    public void ChooseHandshake(bool resumes, string minProtocol, bool offersTls13, TlsHandshakeMode expected) =>
        Assert.Equal(expected, TlsProtocolPolicy.ChooseHandshake(resumes, minProtocol, offersTls13));

    [Theory]
    [InlineData(true, "1.2", true)]
    [InlineData(true, "1.3", false)]
    [InlineData(false, "1.2", false)]
    public void NeedsClientHello_OnlyWhenTheAnswerDependsOnIt(bool resumes, string minProtocol, bool expected) =>
        Assert.Equal(expected, TlsProtocolPolicy.NeedsClientHello(resumes, minProtocol));
}
