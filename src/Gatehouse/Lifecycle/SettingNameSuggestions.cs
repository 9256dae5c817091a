using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>
/// "Did you mean": the known setting of a config section closest to a name Gatehouse does not know, by edit distance.
/// The known names are the section's own JSON properties, so a suggestion is always valid at that level.
/// </summary>
public static class SettingNameSuggestions
{
    /// <summary>The setting names a section accepts, as written in the config (camelCase, or the name given by an attribute).</summary>
    public static IReadOnlyList<string> KnownNames(Type section) =>
        ConfigJson.Read.GetTypeInfo(section).Properties
            .Where(p => p.Set is not null && !p.IsExtensionData)
            .Select(p => p.Name)
            .ToList();

    /// <summary>The closest known name, when it is close enough to be a typo of <paramref name="unknown"/>; otherwise null.</summary>
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        // One edit for short names, two up to 8 characters, three beyond: "pathPrefx", "adress", "cluster" (clusterId).
        var allowed = unknown.Length <= 4 ? 1 : unknown.Length <= 8 ? 2 : 3;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var distance = Distance(unknown.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance <= allowed && distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each count one.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
