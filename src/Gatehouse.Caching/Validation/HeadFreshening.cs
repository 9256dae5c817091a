namespace Gatehouse.Caching;

/// <summary>What a HEAD response means for a stored GET response (RFC 9111 §4.3.5).</summary>
public enum HeadFreshening
{
    /// <summary>Same validators and length: update the stored fields with <see cref="StoredHeaders.Update"/>.</summary>
    Update,

    /// <summary>The representation changed: treat the stored response as stale.</summary>
    MarkStale,
}
