using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Acme.Challenges;
using StackExchange.Redis;

namespace Gatehouse.Cluster.Acme;

/// <summary>
/// Pending ACME challenges in Redis, for the node the CA happens to reach (docs/cluster.md, "ACME across nodes"):
/// HTTP-01 key authorizations under <c>acme:challenge:http-01:TOKEN</c> (not secret: the CA fetches them in clear), and
/// TLS-ALPN-01 certificates with their keys under <c>acme:challenge:tls-alpn-01:HOST</c>, sealed. Entries expire after
/// <see cref="Lifetime"/>. A TLS-ALPN-01 challenge is announced on the channel <c>acme:challenges</c>, so the other nodes
/// inspect ClientHellos only while one is pending. A look-up happens only on a local miss on a challenge path; it awaits
/// Redis (at most its command timeout), and a certificate found is kept for the next handshakes.
/// </summary>
public sealed class RedisAcmeChallengeShare : IAcmeChallengeShare
{
    /// <summary>How long a challenge may stay pending: CAs validate within seconds; an order that waits longer starts again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public const string ChannelName = "acme:challenges";

    private readonly ClusterConnection cluster;
    private readonly SealedBlobs seal;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, X509Certificate2> found = new(StringComparer.OrdinalIgnoreCase);
    private long tlsAlpnPendingUntil;

    public RedisAcmeChallengeShare(ClusterConnection cluster, SealedBlobs seal, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        this.cluster = cluster;
        this.seal = seal;
        this.time = time ?? TimeProvider.System;
        cluster.Subscribe(ChannelName, _ => Interlocked.Exchange(ref tlsAlpnPendingUntil, this.time.GetUtcNow().Add(Lifetime).UtcTicks));
    }

    public bool HasTlsAlpn01 => time.GetUtcNow().UtcTicks < Interlocked.Read(ref tlsAlpnPendingUntil);

    public Task Http01AddedAsync(string token, string keyAuthorization) =>
        SendAsync(db => db.StringSetAsync(Http01Key(token), keyAuthorization, Lifetime));

    public Task Http01RemovedAsync(string token) => SendAsync(db => db.KeyDeleteAsync(Http01Key(token)));

    public Task TlsAlpn01AddedAsync(string host, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = TlsAlpnName(host);
        var sealedCertificate = seal.Seal(name, certificate.Export(X509ContentType.Pkcs12));
        return SendAsync(async db =>
        {
            await db.StringSetAsync(cluster.Keys.Key(name), sealedCertificate, Lifetime);
            await db.PublishAsync(cluster.Keys.Channel(ChannelName), host);
        });
    }

    public Task TlsAlpn01RemovedAsync(string host)
    {
        found.TryRemove(host, out _);
        return SendAsync(db => db.KeyDeleteAsync(cluster.Keys.Key(TlsAlpnName(host))));
    }

    public async ValueTask<string?> FindHttp01Async(string token)
    {
        if (cluster.Database is not { } database)
        {
            return null;
        }

        try
        {
            return await database.StringGetAsync(Http01Key(token));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            cluster.ReportFailure(ex);
            return null;
        }
    }

    public ValueTask<X509Certificate2?> FindTlsAlpn01Async(string host)
    {
        if (!HasTlsAlpn01)
        {
            return ValueTask.FromResult<X509Certificate2?>(null);
        }

        return found.TryGetValue(host, out var known) ? ValueTask.FromResult<X509Certificate2?>(known)
            : cluster.Database is { } database ? LoadTlsAlpn01Async(database, host)
            : ValueTask.FromResult<X509Certificate2?>(null);
    }

    private async ValueTask<X509Certificate2?> LoadTlsAlpn01Async(IDatabase database, string host)
    {
        try
        {
            var name = TlsAlpnName(host);
            var opened = seal.Open(name, (byte[]?)await database.StringGetAsync(cluster.Keys.Key(name)));
            if (opened is null)
            {
                return null;
            }

            var certificate = X509CertificateLoader.LoadPkcs12(opened, null);
            return found[host] = certificate;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or System.Security.Cryptography.CryptographicException)
        {
            cluster.ReportFailure(ex);
            return null;
        }
    }

    private RedisKey Http01Key(string token) => cluster.Keys.Key("acme:challenge:http-01:" + token);

    private static string TlsAlpnName(string host) => "acme:challenge:tls-alpn-01:" + host.ToLowerInvariant();

    /// <summary>
    /// Writes before the manager goes on (it asks the CA to validate next, and the CA may reach another node at once),
    /// waiting at most Redis's command timeout. A failure is reported once; the challenge is then answered by this node alone.
    /// </summary>
    private async Task SendAsync(Func<IDatabase, Task> write)
    {
        if (cluster.Database is not { } database)
        {
            return;
        }

        try
        {
            await write(database);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            cluster.ReportFailure(ex);
        }
    }
}
