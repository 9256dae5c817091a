using System.Collections.Frozen;
using Gatehouse.Configuration;

namespace Gatehouse.Protection;

/// <summary>What becomes of one request header field at the edge.</summary>
public enum EdgeHeaderVerdict
{
    Keep,
    Drop,
    Reject,
}

/// <summary>
/// Request header names that no backend should see from an untrusted client (docs/protection.md, "Header hygiene"):
/// names holding <c>_</c>, which CGI-style backends read as the <c>-</c> name Gatehouse strips or sets
/// (<c>X_Forwarded_For</c>, <c>Transfer_Encoding</c>), and the headers that claim the client's address
/// (<c>X-Real-IP</c>…) unless the peer is a trusted proxy. Pure: one decision per name.
/// </summary>
public sealed class EdgeHeaderRules
{
    private EdgeHeaderRules(string underscores, FrozenSet<string> clientIpHeaders)
    {
        Underscores = underscores;
        ClientIpHeaders = clientIpHeaders;
    }

    public static EdgeHeaderRules Default { get; } = From(new GatehouseConfig());

    /// <summary>One of <see cref="UnderscoresInHeaders"/>.</summary>
    public string Underscores { get; }

    public FrozenSet<string> ClientIpHeaders { get; }

    /// <summary>Whether a request from a peer of this trust needs its header names looked at at all.</summary>
    public bool AppliesTo(bool trustedPeer) => Underscores != UnderscoresInHeaders.Pass || (!trustedPeer && ClientIpHeaders.Count > 0);

    public static EdgeHeaderRules From(GatehouseConfig config) => new(
        UnderscoresInHeaders.All.Contains(config.Http.UnderscoresInHeaders) ? config.Http.UnderscoresInHeaders : UnderscoresInHeaders.Drop,
        config.ClientIpHeaders.ToFrozenSet(StringComparer.OrdinalIgnoreCase));

    public EdgeHeaderVerdict Judge(string name, bool trustedPeer)
    {
        if (name.Contains('_', StringComparison.Ordinal))
        {
            switch (Underscores)
            {
                case UnderscoresInHeaders.Drop:
                    return EdgeHeaderVerdict.Drop;
                case UnderscoresInHeaders.Reject:
                    return EdgeHeaderVerdict.Reject;
            }
        }

        return !trustedPeer && ClientIpHeaders.Contains(name) ? EdgeHeaderVerdict.Drop : EdgeHeaderVerdict.Keep;
    }
}
