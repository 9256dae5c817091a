using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>A throwaway CA made in-process with CertificateRequest; issues leaves and writes them as PEM files.</summary>
public sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestPki(X509Certificate2 ca, string directory)
    {
        Ca = ca;
        Directory = directory;
        CaPath = Path.Combine(directory, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaPath, ca.ExportCertificatePem());
    }

    public X509Certificate2 Ca { get; }

    public string Directory { get; }

    public string CaPath { get; }

    public static TestPki Create(string? directory = null, string name = "Gatehouse Test CA")
    {
        directory ??= Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestPki(ca, directory);
    }

    /// <summary>A leaf for these DNS names (RSA 2048 or ECDSA P-256), for servers or, with <paramref name="client"/>, clients.</summary>
    public X509Certificate2 Issue(string subject, IReadOnlyList<string> dnsNames, bool rsa = false, bool client = false)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = rsa
            ? new CertificateRequest($"CN={subject}", (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={subject}", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }

        if (dnsNames.Count > 0)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([client ? ClientAuth : ServerAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        // The CA's key is ECDSA; an RSA leaf needs the signature generator spelled out.
        using var caKey = Ca.GetECDsaPrivateKey()!;
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(12));
        return rsa ? issued.CopyWithPrivateKey((RSA)key) : issued.CopyWithPrivateKey((ECDsa)key);
    }

    /// <summary>Writes leaf + CA as the certificate file and the PKCS#8 key file; returns their paths.</summary>
    public (string Certificate, string Key) Write(X509Certificate2 certificate, string stem)
    {
        var certificatePath = Path.Combine(Directory, stem + ".pem");
        var keyPath = Path.Combine(Directory, stem + ".key");
        WriteFiles(certificate, certificatePath, keyPath);
        return (certificatePath, keyPath);
    }

    /// <summary>Overwrites the two files in place (as an editor or certbot's deploy hook would).</summary>
    public void WriteFiles(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem());
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The same config with listeners[0] made HTTPS (HTTP/1.1 and HTTP/2 by ALPN), its default certificate from this CA.</summary>
    public string WithTls(string json)
    {
        var (certificate, key) = Write(Issue("gatehouse", ["gatehouse.test"]), $"edge-{Guid.NewGuid():N}");
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        root["listeners"]![0]!["tls"] = new System.Text.Json.Nodes.JsonObject();
        root["tls"] = new System.Text.Json.Nodes.JsonObject
        {
            ["certificates"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["certificate"] = certificate, ["key"] = key, ["default"] = true }),
        };
        return root.ToJsonString();
    }

    /// <summary>Whether this CA issued the certificate (the chain is what is checked, not a name: clients reach 127.0.0.1).</summary>
    public bool Issued(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    public void Dispose() => Ca.Dispose();
}

/// <summary>Raw TLS handshakes and HTTPS clients aimed at a loopback port with any SNI name.</summary>
public static class TlsClient
{
    /// <summary>Handshakes with <paramref name="serverName"/> as SNI (an IP address sends none) and returns what the server presented.</summary>
    public static async Task<(X509Certificate2 Certificate, SslApplicationProtocol Alpn)> HandshakeAsync(int port, string serverName, params SslApplicationProtocol[] alpn)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => certificate is not null); // the test asserts on which certificate came
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = alpn.Length > 0 ? [.. alpn] : null,
        }).WaitAsync(TimeSpan.FromSeconds(10));
        return (X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate!.GetRawCertData()), ssl.NegotiatedApplicationProtocol);
    }

    /// <summary>
    /// An HttpClient for https://{host}:{port}/ that connects to 127.0.0.1 whatever the host, trusts <paramref name="root"/>
    /// only (or anything when null) and optionally presents a client certificate.
    /// </summary>
    public static HttpClient Create(int port, string host, X509Certificate2? root = null, X509Certificate2? clientCertificate = null, Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            var leaf = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            seen?.Invoke(leaf);
            if (root is null)
            {
                return true;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(root);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && custom.Build(leaf);
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return new HttpClient(handler) { BaseAddress = new Uri($"https://{host}:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }
}
