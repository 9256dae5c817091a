using Gatehouse.Configuration;
using System.Collections.Frozen;

namespace Gatehouse.Protection;

/// <summary>
/// The response headers that reveal what runs behind Gatehouse (software, version, host name, internal hops). Entries
/// are exact names or prefixes written with a trailing <c>*</c> (<c>X-Drupal-*</c>); names are compared without regard
/// to case. Built once per config; <see cref="ShouldRemove"/> is one frozen-set look-up plus a short prefix scan.
/// </summary>
public sealed class IdentityHeaders
{
    /// <summary>The default <c>hideBackend.removeHeaders</c> (<see cref="HideBackendDefinition.DefaultRemoveHeaders"/>).</summary>
    public static IReadOnlyList<string> Defaults => HideBackendDefinition.DefaultRemoveHeaders;

    private readonly FrozenSet<string> _exact;
    private readonly string[] _prefixes;
    private readonly FrozenSet<string> _keptExact;
    private readonly string[] _keptPrefixes;

    private IdentityHeaders(FrozenSet<string> exact, string[] prefixes, FrozenSet<string> keptExact, string[] keptPrefixes)
    {
        _exact = exact;
        _prefixes = prefixes;
        _keptExact = keptExact;
        _keptPrefixes = keptPrefixes;
    }

    public static IdentityHeaders Default { get; } = Create(Defaults, []);

    /// <summary>Whether no header is ever removed.</summary>
    public bool IsEmpty => _exact.Count == 0 && _prefixes.Length == 0;

    /// <summary>
    /// The headers to remove are <paramref name="remove"/> except those matched by <paramref name="keep"/> (the same
    /// syntax), so that one default can be let through without listing all the others.
    /// </summary>
    public static IdentityHeaders Create(IEnumerable<string> remove, IEnumerable<string> keep)
    {
        var (keptExact, keptPrefixes) = Split(keep);
        var (exact, prefixes) = Split(remove);
        exact.ExceptWith(keptExact);
        exact.RemoveWhere(name => keptPrefixes.Exists(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)));
        return new IdentityHeaders(
            exact.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            [.. prefixes.Distinct(StringComparer.OrdinalIgnoreCase)],
            keptExact.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
            [.. keptPrefixes]);
    }

    /// <summary>Whether a backend response header of this name must not reach the client.</summary>
    public bool ShouldRemove(string name)
    {
        if (_exact.Contains(name))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return !IsKept(name);
            }
        }

        return false;
    }

    private bool IsKept(string name)
    {
        if (_keptExact.Contains(name))
        {
            return true;
        }

        foreach (var prefix in _keptPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an entry is a prefix (<c>X-Drupal-*</c>); returns the prefix without its star.</summary>
    public static bool IsPrefix(string entry, out string prefix)
    {
        if (entry.Length > 1 && entry[^1] == '*')
        {
            prefix = entry[..^1];
            return true;
        }

        prefix = entry;
        return false;
    }

    private static (HashSet<string> Exact, List<string> Prefixes) Split(IEnumerable<string> entries)
    {
        var exact = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var prefixes = new List<string>();
        foreach (var entry in entries)
        {
            if (IsPrefix(entry, out var prefix))
            {
                prefixes.Add(prefix);
            }
            else
            {
                exact.Add(entry);
            }
        }

        return (exact, prefixes);
    }
}
