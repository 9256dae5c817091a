using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>
/// TLS 1.3 sessions resume (with a fresh ECDHE), TLS 1.2 ones never do, and listeners asking for client certificates
/// never resume (docs/tls.md, session resumption). Checked with the openssl binary's -sess_out / -sess_in.
/// </summary>
public sealed class SessionResumptionTests : IAsyncLifetime
{
    private const string OpenSsl = "/usr/bin/openssl";
    private const string Request = "GET /r HTTP/1.1\r\nHost: alpha.test\r\nConnection: close\r\n\r\n";

    private readonly TestPki _pki = TestPki.Create();
    private readonly string _sessions = Directory.CreateTempSubdirectory("gatehouse-sessions-").FullName;
    private TestBackend _backend = null!;
    private TestProxy? _proxy;

    public async ValueTask InitializeAsync() =>
        _backend = await TestBackend.StartAsync("app", context => context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}"));

    private async Task<int> StartAsync(string listenerTls = "{}", string tlsExtra = "", TimeProvider? time = null)
    {
        var alpha = _pki.Issue("alpha", ["alpha.test"], rsa: true);
        _proxy = await TestProxy.StartAsync(
            TlsConfigs.Https(_backend, [TlsConfigs.Certificate(_pki.Write(alpha, "alpha"), isDefault: true)], listenerTls, tlsExtra),
            time is null ? null : (Action<WebApplicationBuilder>)(builder => builder.Services.AddSingleton(time)));
        return _proxy.Addresses[0].Port;
    }

    [Fact]
    public async Task SilentClient_IsClosedWhenTheHandshakeTimeoutPasses_NotHeldTwice()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var port = await StartAsync(time: time);
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, port);
        var closed = silent.GetStream().ReadAsync(new byte[1]).AsTask();

        // The peek's timer starts once the connection is accepted: step fake time until the server closes (bounded).
        for (var step = 0; step < 50 && !closed.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromSeconds(11));
            await Task.WhenAny(closed, Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken));
        }

        Assert.True(closed.IsCompleted, "the silent connection is still open");
        Assert.Equal(0, await closed.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : 0, TestContext.Current.CancellationToken));
        // A client that speaks is unaffected.
        var output = await SClientAsync(port, ["-tls1_3"]);
        Assert.Contains("HTTP/1.1 200 OK", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1_3")]
    [InlineData()] // offers TLS 1.2 and 1.3: gets 1.3
    [InlineData("-tls1_3", "-allow_no_dhe_kex")] // offers psk_ke too: the server still insists on psk_dhe_ke
    [InlineData("-tls1_3", "-max_send_frag", "512", "-alpn", Padding)] // a ClientHello over two records
    public async Task Tls13_TicketFromOneConnection_ResumesTheNext_WithAFreshKeyExchange(params string[] arguments)
    {
        var port = await StartAsync();

        var first = await SClientAsync(port, ["-sess_out", Session("s"), .. arguments]);
        var second = await SClientAsync(port, ["-sess_in", Session("s"), .. arguments]);

        Assert.Contains("New, TLSv1.3", first, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200 OK", first, StringComparison.Ordinal);
        Assert.Contains("Reused, TLSv1.3", second, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200 OK", second, StringComparison.Ordinal);
        Assert.Contains("GET /r", second, StringComparison.Ordinal);
        // psk_dhe_ke: the resumed handshake ran its own ECDHE.
        Assert.Matches("Server Temp Key: (X25519|ECDH|X448)", second);
    }

    [Fact]
    public async Task Tls13_MinimumProtocol13_Resumes()
    {
        var port = await StartAsync(tlsExtra: "\"minProtocol\": \"1.3\"");

        await SClientAsync(port, ["-sess_out", Session("m")]);
        var second = await SClientAsync(port, ["-sess_in", Session("m")]);

        Assert.Contains("Reused, TLSv1.3", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls12_Reconnect_IsNeverResumed_EachConnectionAFullEcdheHandshake()
    {
        var port = await StartAsync();

        var first = await SClientAsync(port, ["-tls1_2"]);
        var reconnects = await SClientAsync(port, ["-tls1_2", "-reconnect"]);

        Assert.True(first.Contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES", StringComparison.Ordinal), first);
        Assert.Contains("HTTP/1.1 200 OK", first, StringComparison.Ordinal);
        // Nothing to resume with: no session id, no ticket.
        Assert.Matches("Session-ID: *\n", first);
        Assert.DoesNotContain("TLS session ticket", first, StringComparison.Ordinal);
        Assert.True(reconnects.Split("New, TLSv1.2").Length - 1 >= 5, reconnects); // the first connection and each reconnect
        Assert.DoesNotContain("Reused", reconnects, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256")] // CBC
    [InlineData("-tls1_2", "-cipher", "AES128-GCM-SHA256")] // RSA key exchange
    [InlineData("-cipher", "ECDHE-RSA-AES128-SHA256", "-ciphersuites", "TLS_AES_128_CCM_SHA256")] // 1.3 offered without a suite OpenSSL enables: hardened 1.2
    public async Task Tls12_WeakSuites_StillRefused(params string[] arguments)
    {
        var port = await StartAsync();

        var output = await SClientAsync(port, arguments);

        Assert.DoesNotContain("CN = alpha", output, StringComparison.Ordinal);
        Assert.Contains("alert", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCertificateListener_Tls13_IsNotResumed()
    {
        var port = await StartAsync(listenerTls: $$"""{ "clientCertificate": { "mode": "allow", "caBundle": "{{_pki.CaPath}}" } }""");

        await SClientAsync(port, ["-tls1_3", "-sess_out", Session("c")]);
        var second = await SClientAsync(port, ["-tls1_3", "-sess_in", Session("c")]);

        Assert.Contains("New, TLSv1.3", second, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200 OK", second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.None)]
    public async Task DotNetSslStream_CompletesAndGetsAnAnswer(SslProtocols protocols)
    {
        var port = await StartAsync();
        for (var i = 0; i < 2; i++) // the second may resume
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => certificate is not null);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "alpha.test", EnabledSslProtocols = protocols })
                .WaitAsync(TimeSpan.FromSeconds(10));
            await ssl.WriteAsync(System.Text.Encoding.ASCII.GetBytes(Request));
            using var reader = new StreamReader(ssl);
            var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(protocols == SslProtocols.Tls12 ? SslProtocols.Tls12 : SslProtocols.Tls13, ssl.SslProtocol);
            Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
            Assert.Contains("\r\n\r\n6\r\nGET /r\r\n", answer, StringComparison.Ordinal);
        }
    }

    /// <summary>ALPN names enough to push the ClientHello past 512 bytes.</summary>
    private const string Padding = "http/1.1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
        + "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,"
        + "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    private string Session(string name) => Path.Combine(_sessions, name + ".pem");

    /// <summary>Runs s_client, sends one request and reads to the end (so TLS 1.3 tickets, sent after the handshake, arrive).</summary>
    /// <remarks>The exit code is not checked: Gatehouse closes without close_notify (quiet shutdown), which s_client reports as an error.</remarks>
    private static async Task<string> SClientAsync(int port, string[] arguments)
    {
        var start = new ProcessStartInfo(OpenSsl) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "alpha.test", "-ign_eof" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(Request);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return await stdout + await stderr;
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await _backend.DisposeAsync();
        _pki.Dispose();
        Directory.Delete(_sessions, recursive: true);
    }
}
