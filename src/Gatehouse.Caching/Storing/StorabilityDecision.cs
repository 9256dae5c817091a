namespace Gatehouse.Caching;

/// <summary>The answer of <see cref="Storability.Evaluate"/>.</summary>
public readonly record struct StorabilityDecision(NotStorableReason Reason)
{
    /// <summary>A decision to store.</summary>
    public static StorabilityDecision Storable => new(NotStorableReason.None);

    /// <summary>True when the response may be stored.</summary>
    public bool IsStorable => Reason == NotStorableReason.None;
}
