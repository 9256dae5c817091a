namespace Gatehouse.Runtime;

/// <summary>
/// Metadata keys of a YARP destination that Gatehouse sets where it makes destinations at run time (DNS discovery) and
/// features read back, so that neither knows the other.
/// </summary>
public static class DestinationMetadata
{
    /// <summary>The destination's weight for the weighted policies (an SRV record's weight, or the configured one).</summary>
    public const string Weight = "Gatehouse.Weight";

    /// <summary>The configured destination a discovered one was resolved from (drain and disable follow it).</summary>
    public const string ConfiguredId = "Gatehouse.ConfiguredId";

    /// <summary>The weight in <paramref name="metadata"/>, when it has a valid one.</summary>
    public static int? WeightOf(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(Weight, out var text)
        && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight) && weight > 0
            ? weight
            : null;
}
