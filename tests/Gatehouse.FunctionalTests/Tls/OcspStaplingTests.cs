using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>
/// OCSP stapling: a certificate naming an OCSP responder (a real `openssl ocsp` on loopback) gets its OCSP response
/// stapled to handshakes, fetched by .NET itself (SslStreamCertificateContext.Create with offline: false).
/// </summary>
public sealed class OcspStaplingTests : IAsyncDisposable
{
    private const string OpenSsl = "/usr/bin/openssl";

    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-ocsp-").FullName;
    private Process? _responder;

    [Fact]
    public async Task CertificateWithAnOcspResponder_HandshakesCarryTheStapledResponse()
    {
        var port = TestBackend.UnusedPort();
        using var pki = TestPki.Create(_directory, "OCSP Test CA");
        using var leaf = IssueWithOcsp(pki, $"http://127.0.0.1:{port}");
        var files = pki.Write(leaf, "leaf");
        var caKey = Path.Combine(_directory, "ca.key");
        using (var key = pki.Ca.GetECDsaPrivateKey()!)
        {
            await File.WriteAllTextAsync(caKey, key.ExportPkcs8PrivateKeyPem());
        }

        var index = Path.Combine(_directory, "index.txt");
        await File.WriteAllTextAsync(index, $"V\t300101000000Z\t\t{leaf.SerialNumber}\tunknown\t/CN=ocsp.test\n");
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _responder = StartResponder(port.ToString(CultureInfo.InvariantCulture), index, pki.CaPath, caKey, line =>
        {
            if (line.Contains("waiting for OCSP client connections", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }

            if (line.Contains("Received request", StringComparison.Ordinal))
            {
                asked.TrySetResult();
            }
        });
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await using var backend = await TestBackend.StartAsync("app");
        await using var proxy = await TestProxy.StartAsync(TlsConfigs.Https(backend, [TlsConfigs.Certificate(files)]));
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // The response is fetched in the background; a handshake right after the request may precede it.
        var output = "";
        for (var attempt = 0; attempt < 20 && !output.Contains("Cert Status: good", StringComparison.Ordinal); attempt++)
        {
            output = await StatusAsync(proxy.Addresses[0].Port);
        }

        Assert.Contains("OCSP Response Status: successful", output, StringComparison.Ordinal);
        Assert.Contains("Cert Status: good", output, StringComparison.Ordinal);
    }

    private static X509Certificate2 IssueWithOcsp(TestPki pki, string responder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ocsp.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("ocsp.test");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([responder], null));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(pki.Ca, true, false));
        using var issued = request.Create(pki.Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }

    private static Process StartResponder(string port, string index, string ca, string caKey, Action<string> onLine)
    {
        var start = new ProcessStartInfo(OpenSsl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "ocsp", "-index", index, "-port", port, "-rsigner", ca, "-rkey", caKey, "-CA", ca, "-nmin", "60" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => onLine(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => onLine(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> StatusAsync(int port)
    {
        var start = new ProcessStartInfo(OpenSsl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "ocsp.test", "-status" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return await stdout + await stderr;
    }

    public async ValueTask DisposeAsync()
    {
        if (_responder is { HasExited: false })
        {
            _responder.Kill();
            await _responder.WaitForExitAsync();
        }

        _responder?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
