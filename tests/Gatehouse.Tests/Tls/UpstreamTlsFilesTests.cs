using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;
using Gatehouse.Hosting;
using Gatehouse.Lifecycle;
using Gatehouse.Tests.Configuration;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

/// <summary>
/// A cluster's <c>httpClient.tls</c> files are read once, by the check that reports them; the generation keeps what it
/// read, and the cluster's HTTP client takes it from there. Real files in a temp folder; no connection is made.
/// </summary>
public sealed class UpstreamTlsFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-upstream-tls-").FullName;

    private void WriteCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_directory, name + ".pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }

    [Fact]
    public async Task Check_LoadsTheFilesOnce_TheGenerationKeepsThem_AndTheClientNeedsNoFileAgain()
    {
        WriteCertificate("ca");
        WriteCertificate("client");
        var tls = new UpstreamTlsDefinition { CaBundle = "ca.pem", ClientCertificate = "client.pem", ClientKey = "client.key" };
        var config = SampleConfig.Valid(cluster: SampleConfig.Cluster with
        {
            Destinations = SampleConfig.Destinations(new DestinationDefinition { Address = "https://127.0.0.1:5001" }),
            HttpClient = new() { Tls = tls },
        });

        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckAsync(new ConfigLoadResult(config, []), _directory);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var files = result.Parsed!.UpstreamTls["api"];
        Assert.Single(files.Roots!);
        Assert.NotNull(files.Client);
        Assert.Same(files, GenerationCompiler.Compile(result.Config!, result.Parsed).Cluster<UpstreamTlsFiles>("API"));

        // With the files gone, the client still gets what the check loaded; without it, it would have to read them.
        File.Delete(Path.Combine(_directory, "ca.pem"));
        File.Delete(Path.Combine(_directory, "client.pem"));
        var metadata = UpstreamTls.Metadata(tls).ToDictionary();
        using var handler = new SocketsHttpHandler();
        UpstreamTls.Configure(handler, metadata, _directory, acceptAnyCertificate: false, files);
        Assert.Same(files.Client, handler.SslOptions.ClientCertificateContext);
        Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        using var unloaded = new SocketsHttpHandler();
        Assert.Throws<InvalidOperationException>(() => UpstreamTls.Configure(unloaded, metadata, _directory, acceptAnyCertificate: false));
    }

    [Fact]
    public void Load_ReportsEachFileAtItsPath()
    {
        var errors = new List<ConfigError>();

        var files = UpstreamTlsFiles.Load(new UpstreamTlsDefinition { CaBundle = "missing.pem" }, "clusters.api.httpClient.tls", _directory, errors);

        Assert.Null(files.Roots);
        Assert.Equal("clusters.api.httpClient.tls.caBundle", Assert.Single(errors).Path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
