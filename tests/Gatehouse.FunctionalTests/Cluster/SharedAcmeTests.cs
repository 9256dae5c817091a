using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Storage;
using Gatehouse.Cluster.Acme;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Gatehouse.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.FunctionalTests.Cluster;

/// <summary>A Pebble of its own for the cluster ACME tests, so its output counts only their orders.</summary>
public sealed class ClusterPebbleFixture : GatehousePebbleFixture;

/// <summary>
/// ACME across nodes (issue 18, acceptance 3): three nodes sharing one Redis obtain one certificate with one order, and
/// all serve it. Pebble validates on node A's ports only; whichever node orders, A answers from Redis when it is not A.
/// </summary>
public sealed partial class SharedAcmeTests(ClusterPebbleFixture fixture) : IClassFixture<ClusterPebbleFixture>
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string Config(ClusterPebbleFixture fixture, TestBackend backend, RedisServer redis, string node, string host, bool challengePorts) => $$"""
        {
          "listeners": [
            { "address": "127.0.0.1", "port": {{(challengePorts ? fixture.HttpsPort : 0)}}, "tls": {} },
            { "address": "127.0.0.1", "port": {{(challengePorts ? fixture.HttpPort : 0)}} }
          ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": { "c": { "destinations": { "d": { "address": "{{backend.Address}}" } } } },
          "cluster": { "redis": "{{redis.Endpoint}}", "keyPrefix": "acme-test:", "nodeName": "{{node}}", "encryptionKey": "{{Key}}" },
          "tls": {
            "storage": "{{Path.Combine(Path.GetTempPath(), "gatehouse-tests", "acme-" + node + "-" + Guid.NewGuid().ToString("N"))}}",
            "acme": {
              "directory": "{{fixture.Pebble.DirectoryUrl}}",
              "caBundle": "{{fixture.Pebble.CaBundlePath}}",
              "email": "ops@gatehouse.test",
              "acceptTermsOfService": true,
              "hosts": [ "{{host}}" ],
              "challenges": [ "http-01" ]
            }
          }
        }
        """;

    [GeneratedRegex("Issued certificate serial")]
    private static partial Regex IssuedCertificate();

    [Fact]
    public async Task ThreeNodesStartingTogether_OneCertificateIssued_AndAllServeIt_KeysSealedInRedis()
    {
        const string host = "cluster.gatehouse.test";
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("app");
        var issuedBefore = IssuedCertificate().Count(fixture.Pebble.Output);

        var nodes = await Task.WhenAll(
            TestProxy.StartAsync(Config(fixture, backend, redis, "node-a", host, challengePorts: true)),
            TestProxy.StartAsync(Config(fixture, backend, redis, "node-b", host, challengePorts: false)),
            TestProxy.StartAsync(Config(fixture, backend, redis, "node-c", host, challengePorts: false)));
        try
        {
            // The nodes start at once, so an order may be validated before the node that answers the CA's challenges
            // listens: that order fails, and its node takes the certificate another node stored (within 5 s).
            var served = await Task.WhenAll(nodes.Select(n => AcmeGatehouse.WaitForServedAsync(n, host, _ => true, failuresAllowed: true)));

            Assert.Single(served.Select(c => c.Thumbprint).Distinct());
            Assert.Equal(1, IssuedCertificate().Count(fixture.Pebble.Output) - issuedBefore);
            Assert.All(nodes, n => Assert.IsType<RedisAcmeStore>(n.Services.GetRequiredService<AcmeSource>().AcmeStore));

            // At rest: the certificate blob (private key first) is sealed, never PEM.
            var stored = (byte[]?)await (await redis.DatabaseAsync()).StringGetAsync("acme-test:acme:" + AcmeStoreNames.Certificate(host));
            Assert.NotNull(stored);
            Assert.DoesNotContain("PRIVATE KEY", System.Text.Encoding.ASCII.GetString(stored), StringComparison.Ordinal);
            Assert.StartsWith("GHS1", System.Text.Encoding.ASCII.GetString(stored, 0, 4), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AnHttp01ChallengeStartedOnOneNode_IsAnsweredByAnother()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("app");
        await using var a = await StartConnectedNodeAsync(backend, redis, "node-a");
        await using var b = await StartConnectedNodeAsync(backend, redis, "node-b");

        await b.Services.GetRequiredService<AcmeChallengeResponses>().AddHttp01Async("tok-123", "tok-123.thumbprint");
        using var client = new HttpClient { BaseAddress = a.Addresses[1] };
        using var answer = await client.GetAsync(AcmeChallengeResponses.Http01PathPrefix + "tok-123");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("tok-123.thumbprint", await answer.Content.ReadAsStringAsync());

        await b.Services.GetRequiredService<AcmeChallengeResponses>().RemoveHttp01Async("tok-123");
        // No longer a challenge anywhere: the path goes to the route like any other (the backend answers "app").
        Assert.Equal("app", await client.GetStringAsync(AcmeChallengeResponses.Http01PathPrefix + "tok-123"));
    }

    [Fact]
    public async Task ATlsAlpn01ChallengeStartedOnOneNode_IsAnsweredByAnother_WithTheSameCertificate()
    {
        const string host = "alpn.gatehouse.test";
        using var pki = TestPki.Create(name: "Challenge");
        using var challenge = pki.Issue("challenge", [host]);
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("app");
        await using var a = await StartConnectedNodeAsync(backend, redis, "node-a");
        await using var b = await StartConnectedNodeAsync(backend, redis, "node-b");
        var port = a.Addresses[0].Port;

        // Before any challenge A has nothing for this name (no certificate yet, none pending): the handshake is refused.
        await Assert.ThrowsAnyAsync<IOException>(() => TlsClient.HandshakeAsync(port, host, AcmeChallenges.TlsAlpnProtocol));

        await b.Services.GetRequiredService<AcmeChallengeResponses>().AddTlsAlpn01Async(host, challenge);
        // A starts inspecting ClientHellos when B's announcement arrives (pub/sub, milliseconds).
        var share = a.Services.GetRequiredService<RedisAcmeChallengeShare>();
        await Poll.UntilAsync(() => share.HasTlsAlpn01, "B's TLS-ALPN-01 announcement to reach A", ClusterNodes.StateTimeout);

        var (certificate, alpn) = await TlsClient.HandshakeAsync(port, host, AcmeChallenges.TlsAlpnProtocol);
        Assert.Equal(challenge.Thumbprint, certificate.Thumbprint);
        Assert.Equal(AcmeChallenges.TlsAlpnProtocol, alpn);
        // The challenge certificate is for the CA's validation only: a client without acme-tls/1 is still refused.
        await Assert.ThrowsAnyAsync<IOException>(() => TlsClient.HandshakeAsync(port, host));
    }

    /// <summary>A node without the CA's ports (its own order for another host fails quietly), once it is connected to Redis.</summary>
    private async Task<TestProxy> StartConnectedNodeAsync(TestBackend backend, RedisServer redis, string name)
    {
        var node = await TestProxy.StartAsync(Config(fixture, backend, redis, name, "other.gatehouse.test", challengePorts: false));
        try
        {
            await ClusterNodes.Connection(node).WaitForAsync(Gatehouse.Cluster.ClusterConnectionState.Connected, ClusterNodes.StateTimeout);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }
}
