using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Cli;

/// <summary>Builds the config of <c>gatehouse proxy</c> (quick mode) from its flags. Pure, so it is tested like any config.</summary>
public static class QuickConfig
{
    /// <param name="compress">Compress text responses with the default settings (docs/compression.md).</param>
    /// <param name="tls">For an https:// <paramref name="from"/>: certificate and key files, or the internal issuer when null.</param>
    /// <param name="admin">
    /// <c>ADDRESS:PORT</c> of an admin listener (API, metrics, dashboard) without a token, so loopback only; null for none.
    /// </param>
    /// <param name="redis">The Redis of a cluster to join (cluster mode, docs/cluster.md), <c>HOST:PORT</c> or a configuration string; null for none.</param>
    public static ConfigLoadResult Build(string from, IReadOnlyList<string> to, string? policy, bool cache = false, QuickTls? tls = null, string? admin = null, bool compress = false, string? redis = null)
    {
        var errors = new List<ConfigError>();
        var adminSection = new AdminDefinition();
        if (admin is not null)
        {
            if (ParseAdmin(admin) is { } endpoint)
            {
                adminSection = new AdminDefinition { Address = endpoint.Address.ToString(), Port = endpoint.Port };
            }
            else
            {
                errors.Add(new("--admin", $"'{admin}' is not a loopback ADDRESS:PORT such as 127.0.0.1:9901 or [::1]:9901 (quick mode's admin API has no token, so it listens on loopback only)"));
            }
        }

        if (!Uri.TryCreate(from, UriKind.Absolute, out var listen)
            || (listen.Scheme != Uri.UriSchemeHttp && listen.Scheme != Uri.UriSchemeHttps && listen.Scheme != Forwarding.UpstreamHttpVersion.H2cScheme))
        {
            errors.Add(new("--from", $"'{from}' is not an http://, https:// or h2c:// address such as http://127.0.0.1:8080 or https://localhost:8443"));
        }
        else if (listen.Scheme != Uri.UriSchemeHttps && (tls?.Certificate is not null || tls?.Key is not null))
        {
            errors.Add(new("--tls-cert", "certificate files need an https:// --from address"));
        }

        if ((tls?.Certificate is null) != (tls?.Key is null))
        {
            errors.Add(new(tls?.Certificate is null ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key go together"));
        }

        if (to.Count == 0)
        {
            errors.Add(new("--to", "at least one backend address is required"));
        }

        if (errors.Count > 0)
        {
            return new ConfigLoadResult(null, errors);
        }

        var host = listen!.Host.Trim('[', ']');
        var https = listen.Scheme == Uri.UriSchemeHttps;
        // h2c://: a plain listener that takes HTTP/2 with prior knowledge only (gRPC clients, docs/grpc.md).
        var protocols = listen.Scheme == Forwarding.UpstreamHttpVersion.H2cScheme ? ListenerProtocols.Http2 : null;
        var config = new GatehouseConfig
        {
            Listeners = [new ListenerDefinition { Name = "quick", Address = host, Port = listen.Port, Tls = https ? new ListenerTlsDefinition() : null, Protocols = protocols }],
            Admin = adminSection,
            Tls = !https ? new TlsDefinition() : new TlsDefinition
            {
                Certificates = tls?.Certificate is { } certificate ? [new CertificateFileDefinition { Certificate = certificate, Key = tls.Key }] : [],
                Internal = new InternalIssuerDefinition { Hosts = tls?.Certificate is null ? [host] : [] },
                Storage = tls?.Storage,
            },
            Compression = new CompressionDefinition { Enabled = compress },
            Cluster = redis is null ? null : new ClusterModeDefinition { Redis = redis },
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["all"] = new()
                {
                    ClusterId = "backends",
                    Match = new RouteMatchDefinition { PathPrefix = "/" },
                    Cache = new RouteCacheDefinition { Enabled = cache },
                },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["backends"] = new()
                {
                    LoadBalancingPolicy = policy,
                    Destinations = to.Select((address, i) => (address, i)).ToDictionary(d => $"d{d.i + 1}", d => new DestinationDefinition { Address = d.address }),
                },
            },
        };

        var validation = ConfigValidator.Validate(config);
        var renamed = validation.Select(e => e.Path switch
        {
            // The destination ids (d1, d2…) are Gatehouse's, not the user's: the message names the --to value itself.
            var p when p.StartsWith("clusters.backends.destinations.", StringComparison.Ordinal) => e with { Path = "--to" },
            var p when p.StartsWith("clusters.backends.loadBalancingPolicy", StringComparison.Ordinal) => e with { Path = "--lb" },
            var p when p.StartsWith("listeners", StringComparison.Ordinal) || p.StartsWith("tls.internal", StringComparison.Ordinal) => e with { Path = "--from" },
            var p when p.StartsWith("tls.certificates[0].key", StringComparison.Ordinal) => e with { Path = "--tls-key" },
            var p when p.StartsWith("tls.certificates", StringComparison.Ordinal) => e with { Path = "--tls-cert" },
            var p when p.StartsWith("tls.storage", StringComparison.Ordinal) => e with { Path = "--storage" },
            var p when p.StartsWith("admin", StringComparison.Ordinal) => e with { Path = "--admin" },
            var p when p.StartsWith("cluster", StringComparison.Ordinal) => e with { Path = "--redis" },
            _ => e,
        }).ToList();
        return new ConfigLoadResult(renamed.Count == 0 ? config : null, renamed);
    }

    /// <summary>A loopback <c>ADDRESS:PORT</c> (<c>127.0.0.1:9901</c>, <c>[::1]:9901</c>, <c>localhost:9901</c>); null otherwise.</summary>
    internal static System.Net.IPEndPoint? ParseAdmin(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return null;
        }

        var host = text[..colon].Trim('[', ']');
        var address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? System.Net.IPAddress.Loopback
            : System.Net.IPAddress.TryParse(host, out var parsed) ? parsed : null;
        return address is not null && System.Net.IPAddress.IsLoopback(address) ? new System.Net.IPEndPoint(address, port) : null;
    }
}

/// <summary>The TLS flags of quick mode: <c>--tls-cert</c>, <c>--tls-key</c>, <c>--storage</c>.</summary>
public sealed record QuickTls(string? Certificate, string? Key, string? Storage);
