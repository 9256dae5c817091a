namespace Gatehouse.Observability.Metrics;

/// <summary>One label set of an instrument: the tag names and values as recorded (values formatted only when scraped).</summary>
internal sealed class SeriesKey
{
    public SeriesKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Tags = tags.ToArray();
        // Sorted by name: the exposition lists labels in one order, whatever order the recording code used.
        Array.Sort(Tags, (a, b) => string.CompareOrdinal(a.Key, b.Key));
    }

    public KeyValuePair<string, object?>[] Tags { get; }
}

/// <summary>
/// Finds a series from the tags of a measurement without allocating (an alternate key of the series table). The hash
/// and the comparison do not depend on the tags' order, so one label set is always one series.
/// </summary>
internal sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, SeriesKey>
{
    public static readonly SeriesKeyComparer Instance = new();

    public bool Equals(SeriesKey? x, SeriesKey? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.Tags, y));

    public int GetHashCode(SeriesKey key) => GetHashCode(key.Tags);

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, SeriesKey other)
    {
        if (alternate.Length != other.Tags.Length)
        {
            return false;
        }

        foreach (var tag in alternate)
        {
            if (!Contains(other.Tags, tag))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        // A sum is the same in any order; the names are fixed per instrument, so the values carry the difference.
        var hash = alternate.Length;
        foreach (var tag in alternate)
        {
            hash += tag.Value?.GetHashCode() ?? 0;
        }

        return hash;
    }

    public SeriesKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate);

    private static bool Contains(KeyValuePair<string, object?>[] tags, KeyValuePair<string, object?> tag)
    {
        foreach (var candidate in tags)
        {
            if (string.Equals(candidate.Key, tag.Key, StringComparison.Ordinal))
            {
                return Equals(candidate.Value, tag.Value);
            }
        }

        return false;
    }
}
