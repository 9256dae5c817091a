using System.Net;

namespace Gatehouse.Protection;

/// <summary>
/// A list of IPv4 and IPv6 networks (CIDRs; a bare address is a /32 or /128). IPv4-mapped IPv6 addresses
/// (<c>::ffff:10.1.2.3</c>, what a dual-stack listener reports for IPv4 clients) are matched as the IPv4 address they carry.
/// </summary>
public sealed class IpNetworkList
{
    private readonly IPNetwork[] _networks;

    private IpNetworkList(IPNetwork[] networks) => _networks = networks;

    public static IpNetworkList Empty { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    public int Count => _networks.Length;

    /// <summary>
    /// The one parse of a config's IP list: every entry that reads as a network, and an error for each that does not,
    /// at <c><paramref name="path"/>[i]</c> (<c>routes.r1.accessControl.deny[2]: '10.0.0.1/33' has a prefix length…</c>).
    /// The validator reports the errors and the compiled generation keeps the list; a list is never parsed again.
    /// </summary>
    public static IpNetworkList Parse(IReadOnlyList<string>? entries, string path, ICollection<Configuration.ConfigError> errors)
    {
        if (entries is null || entries.Count == 0)
        {
            return Empty;
        }

        var networks = new List<IPNetwork>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (TryParse(entries[i], out var network, out var problem))
            {
                networks.Add(network);
            }
            else
            {
                errors.Add(new($"{path}[{i}]", problem!));
            }
        }

        return new IpNetworkList([.. networks]);
    }

    /// <summary>A list from entries known to be valid (tests, and settings read once at start-up); bad entries are left out.</summary>
    public static IpNetworkList From(IReadOnlyList<string>? entries) => Parse(entries, "", new List<Configuration.ConfigError>());

    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An IPv4-mapped IPv6 address becomes the IPv4 address it carries; others are returned as they are.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Reads <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, <c>192.0.2.7</c> or <c>::1</c>; says why when it cannot.</summary>
    public static bool TryParse(string? text, out IPNetwork network, out string? problem)
    {
        network = default;
        problem = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            problem = "is empty; expected an address or CIDR such as 10.0.0.0/8 or 2001:db8::/32";
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? value : value[..slash], out var address))
        {
            problem = $"'{text}' is not an address or CIDR such as 10.0.0.0/8 or 2001:db8::/32";
            return false;
        }

        address = Normalize(address);
        var maxPrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(value.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
        {
            problem = $"'{text}' has a prefix length that is not 0 to {maxPrefix}";
            return false;
        }

        var canonical = new IPNetwork(Mask(address, prefix), prefix);
        if (!canonical.BaseAddress.Equals(address))
        {
            problem = $"'{text}' has bits set past the prefix length; did you mean {canonical}?";
            return false;
        }

        network = canonical;
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
