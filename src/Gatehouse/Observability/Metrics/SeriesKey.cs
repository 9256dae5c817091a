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

    public int GetHashCode(SeriesKey key) => GetHashCode((ReadOnlySpan<KeyValuePair<string, object?>>)key.Tags);

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
            hash += ValueHash(tag.Value);
        }

        return hash;
    }

    /// <summary>
    /// Label values are short config names and fixed words, and come from Gatehouse, not from clients, so a cheap
    /// unseeded hash of a string (length and three characters) serves: equality decides, and it costs a fraction of
    /// the randomized string hash on every measurement.
    /// </summary>
    private static int ValueHash(object? value) => value switch
    {
        null => 0,
        string { Length: 0 } => 1,
        string s => (s.Length * 397) ^ (s[0] * 31) ^ (s[s.Length / 2] * 7) ^ s[^1],
        _ => value.GetHashCode(),
    };

    public SeriesKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate);

    private static bool Contains(KeyValuePair<string, object?>[] tags, KeyValuePair<string, object?> tag)
    {
        foreach (var candidate in tags)
        {
            if (string.Equals(candidate.Key, tag.Key, StringComparison.Ordinal))
            {
                // Mostly the very same instance (interned constants, the config's ids): no virtual call then.
                return ReferenceEquals(candidate.Value, tag.Value) || Equals(candidate.Value, tag.Value);
            }
        }

        return false;
    }
}
