using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class TlsValidationTests
{
    private static readonly CertificateFileDefinition Certificate = new() { Certificate = "site.pem", Key = "site.key" };

    private static GatehouseConfig Https(TlsDefinition tls, ListenerTlsDefinition? listener = null) => SampleConfig.Valid() with
    {
        Listeners = [new ListenerDefinition { Port = 8443, Tls = listener ?? new ListenerTlsDefinition() }],
        Tls = tls,
    };

    private static List<string> Errors(GatehouseConfig config) => ConfigValidator.Validate(config).Select(e => e.ToString()).ToList();

    [Fact]
    public void ValidHttpsConfig_HasNoErrors()
    {
        Assert.Empty(Errors(Https(new TlsDefinition { Certificates = [Certificate], Internal = new() { Hosts = ["dev.test", "*.dev.test", "127.0.0.1", "::1"] } })));
    }

    [Fact]
    public void HttpsListener_WithoutAnyCertificateSource_IsReported()
    {
        Assert.Contains("listeners[0].tls: an HTTPS listener needs a certificate: add tls.certificates, tls.internal.hosts or tls.acme.hosts", Errors(Https(new TlsDefinition())));
    }

    [Fact]
    public void Certificates_MissingFiles_TwoDefaults_AreReportedWithPaths()
    {
        var errors = Errors(Https(new TlsDefinition
        {
            Certificates = [new CertificateFileDefinition { Default = true }, Certificate with { Default = true }],
        }));

        Assert.Contains("tls.certificates[0].certificate: required: a file path", errors);
        Assert.Contains("tls.certificates[0].key: required: a file path", errors);
        Assert.Contains("tls.certificates: only one certificate can be the default", errors);
    }

    [Fact]
    public void BadSettings_EachReportedWithItsPath()
    {
        var config = Https(
            new TlsDefinition
            {
                Certificates = [Certificate],
                Internal = new() { Hosts = ["bad host", ""] },
                MinProtocol = "1.1",
                Hsts = new HstsDefinition { MaxAge = Duration.Parse("forever"), Preload = true },
            },
            new ListenerTlsDefinition { ClientCertificate = new() { Mode = "optional", SubjectHeader = "Bad Header" } });
        var paths = ConfigValidator.Validate(config).Select(e => e.Path).ToList();

        Assert.Contains("tls.internal.hosts[0]", paths);
        Assert.Contains("tls.internal.hosts[1]", paths);
        Assert.Contains("tls.minProtocol", paths);
        Assert.Contains("tls.hsts.maxAge", paths);
        Assert.Contains("tls.hsts.preload", paths);
        Assert.Contains("listeners[0].tls.clientCertificate.mode", paths);
        Assert.Contains("listeners[0].tls.clientCertificate.subjectHeader", paths);
    }

    [Fact]
    public void ClientCertificate_RequireWithoutCaBundle_IsReported()
    {
        var errors = Errors(Https(new TlsDefinition { Certificates = [Certificate] }, new ListenerTlsDefinition { ClientCertificate = new() { Mode = "require" } }));

        Assert.Contains("listeners[0].tls.clientCertificate.caBundle: required with mode require: the CAs client certificates must chain to", errors);
    }

    [Fact]
    public void HstsPreload_NeedsIncludeSubDomainsAndAYear()
    {
        Assert.Empty(Errors(Https(new TlsDefinition { Certificates = [Certificate], Hsts = new() { Preload = true, IncludeSubDomains = true } })));
        Assert.Contains("tls.hsts.preload: needs includeSubDomains and a maxAge of at least 365d",
            Errors(Https(new TlsDefinition { Certificates = [Certificate], Hsts = new() { Preload = true, IncludeSubDomains = true, MaxAge = Duration.Parse("180d") } })));
    }

    [Fact]
    public void UpstreamTls_HalfAClientCertificate_AndABadServerName_AreReported()
    {
        var cluster = SampleConfig.Cluster with { HttpClient = new HttpClientDefinition { Tls = new() { ClientCertificate = "c.pem", ServerName = "*.internal" } } };

        var errors = Errors(SampleConfig.Valid(cluster: cluster));

        Assert.Contains("clusters.api.httpClient.tls.clientKey: clientCertificate and clientKey go together", errors);
        Assert.Contains("clusters.api.httpClient.tls.serverName: '*.internal' is not a DNS host name", errors);
    }

    [Fact]
    public void UnknownTlsSettings_AreReported()
    {
        var result = ConfigLoader.Parse("""
            {
              "listeners": [ { "port": 8443, "tls": { "ciphers": "ALL" } } ],
              "clusters": { "c": { "destinations": { "d": { "address": "https://127.0.0.1:9001" } }, "httpClient": { "tls": { "verify": false } } } },
              "tls": { "internal": { "hosts": ["localhost"], "lifetime": "1d" }, "ocsp": true }
            }
            """);

        Assert.Equal(
            ["clusters.c.httpClient.tls.verify", "listeners[0].tls.ciphers", "tls.internal.lifetime", "tls.ocsp"],
            result.Errors.Where(e => e.Message == "unknown setting").Select(e => e.Path).Order(StringComparer.Ordinal));
    }
}
