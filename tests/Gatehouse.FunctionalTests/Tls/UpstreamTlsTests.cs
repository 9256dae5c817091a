using System.Net;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>https:// backends: a private CA, a server name other than the address, and a client certificate the backend (real Kestrel) requires.</summary>
public sealed class UpstreamTlsTests : IAsyncLifetime
{
    private readonly TestPki _backendPki = TestPki.Create(name: "Backend CA");
    private readonly TestPki _gatehousePki = TestPki.Create(name: "Gatehouse client CA");
    private WebApplication _backend = null!;
    private Uri _backendAddress = null!;
    private TestBackend _placeholder = null!;
    private string _seenServerName = "";

    public async ValueTask InitializeAsync()
    {
        var serverCertificate = _backendPki.Issue("backend", ["backend.internal"]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, name) =>
            {
                _seenServerName = name ?? "";
                return serverCertificate;
            },
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = (certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_gatehousePki.Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        })));
        _backend = builder.Build();
        _backend.Run(context => context.Response.WriteAsync($"client={context.Connection.ClientCertificate?.Subject};host={context.Request.Host}"));
        await _backend.StartAsync();
        _backendAddress = new Uri(_backend.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _placeholder = await TestBackend.StartAsync("unused");
    }

    private string Config(string tls, string serverTls = "{}")
    {
        var edge = TestPki.Create();
        var files = edge.Write(edge.Issue("edge", ["edge.test"]), "edge");
        return TlsConfigs.Https(_placeholder, [TlsConfigs.Certificate(files)], listenerTls: serverTls, clusterExtra: $$"""
            "httpClient": { "tls": {{tls}} }
            """).Replace(_placeholder.Address.ToString(), $"https://127.0.0.1:{_backendAddress.Port}/", StringComparison.Ordinal);
    }

    private string ClientFiles()
    {
        var files = _gatehousePki.Write(_gatehousePki.Issue("gatehouse-upstream", [], client: true), "gatehouse-client");
        return $$""" "clientCertificate": "{{files.Certificate}}", "clientKey": "{{files.Key}}" """;
    }

    [Fact]
    public async Task PrivateCa_ServerName_ClientCertificate_ReachTheBackend()
    {
        await using var proxy = await TestProxy.StartAsync(Config($$"""{ "caBundle": "{{_backendPki.CaPath}}", "serverName": "backend.internal", {{ClientFiles()}} }"""));
        using var client = new HttpClient { BaseAddress = proxy.Addresses[1] };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"client=CN=gatehouse-upstream;host=backend.internal:{_backendAddress.Port}", await response.Content.ReadAsStringAsync());
        Assert.Equal("backend.internal", _seenServerName);
    }

    [Fact]
    public async Task WithoutTheClientCertificate_TheBackendRefuses_502()
    {
        await using var proxy = await TestProxy.StartAsync(Config($$"""{ "caBundle": "{{_backendPki.CaPath}}", "serverName": "backend.internal" }"""));
        using var client = new HttpClient { BaseAddress = proxy.Addresses[1] };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task WithoutTheCaBundle_TheBackendIsNotTrusted_502()
    {
        await using var proxy = await TestProxy.StartAsync(Config($$"""{ "serverName": "backend.internal", {{ClientFiles()}} }"""));
        using var client = new HttpClient { BaseAddress = proxy.Addresses[1] };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task AnotherServerName_DoesNotMatchTheBackendsCertificate_502()
    {
        await using var proxy = await TestProxy.StartAsync(Config($$"""{ "caBundle": "{{_backendPki.CaPath}}", "serverName": "other.internal", {{ClientFiles()}} }"""));
        using var client = new HttpClient { BaseAddress = proxy.Addresses[1] };

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _backend.StopAsync();
        await _backend.DisposeAsync();
        await _placeholder.DisposeAsync();
        _backendPki.Dispose();
        _gatehousePki.Dispose();
    }
}
