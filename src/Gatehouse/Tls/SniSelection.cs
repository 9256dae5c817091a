using System.Collections.Frozen;

namespace Gatehouse.Tls;

/// <summary>
/// Which certificate answers a TLS ClientHello's server name: an exact name first, then a wildcard covering exactly one
/// label (<c>*.example.com</c> covers <c>a.example.com</c>, not <c>example.com</c> or <c>a.b.example.com</c>, as
/// RFC 6125 §6.4.3 says), else the default. Pure: built once per certificate change, read on every handshake.
/// </summary>
public sealed class SniIndex<T>
    where T : class
{
    private readonly FrozenDictionary<string, T> _exact;
    private readonly FrozenDictionary<string, T> _wildcards;

    internal SniIndex(FrozenDictionary<string, T> exact, FrozenDictionary<string, T> wildcards, T? fallback)
    {
        _exact = exact;
        _wildcards = wildcards;
        Default = fallback;
    }

    public T? Default { get; }

    /// <summary>The certificate naming this host, exactly or by wildcard; null when none does (the default is not considered).</summary>
    public T? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        var name = SniSelection.Normalize(serverName);
        if (_exact.TryGetValue(name, out var exact))
        {
            return exact;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < name.Length - 1 && _wildcards.TryGetValue(name[(dot + 1)..], out var wildcard) ? wildcard : null;
    }

    /// <summary>The certificate for a handshake: <see cref="Find"/>, else the default (no SNI, or an unknown name).</summary>
    public T? Select(string? serverName) => Find(serverName) ?? Default;
}

/// <summary>Builds <see cref="SniIndex{T}"/>es and normalizes host names for them.</summary>
public static class SniSelection
{
    /// <summary>
    /// Entries in order of precedence: when two certificates name the same host, the earlier one wins. The default is the
    /// entry marked so, else the first.
    /// </summary>
    public static SniIndex<T> Build<T>(IEnumerable<(IReadOnlyList<string> Names, T Value, bool IsDefault)> entries)
        where T : class
    {
        var exact = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        T? first = null;
        T? marked = null;
        foreach (var (names, value, isDefault) in entries)
        {
            first ??= value;
            if (isDefault)
            {
                marked ??= value;
            }

            foreach (var raw in names)
            {
                var name = Normalize(raw);
                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcards.TryAdd(name[2..], value);
                }
                else if (name.Length > 0)
                {
                    exact.TryAdd(name, value);
                }
            }
        }

        return new SniIndex<T>(
            exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            wildcards.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            marked ?? first);
    }

    /// <summary>Host names compare without case and without a trailing dot (<c>Example.COM.</c> is <c>example.com</c>).</summary>
    public static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}
