namespace Gatehouse.Caching.Middleware;

/// <summary>
/// What a <see cref="ResponseTap"/> does with the body of a response, decided once its status and header fields are
/// known.
/// </summary>
/// <param name="ToClient">Pass the body on (to the client, or for a background refresh to a sink).</param>
/// <param name="Capture">Copy the body for storing, up to the store's entry limit.</param>
internal readonly record struct ResponseHandling(bool ToClient, bool Capture)
{
    /// <summary>Stream to the client and keep a copy: a response that will be stored.</summary>
    public static ResponseHandling StreamAndStore { get; } = new(true, true);

    /// <summary>Stream to the client only.</summary>
    public static ResponseHandling StreamOnly { get; } = new(true, false);

    /// <summary>Neither: the cache answers from the store instead (a 304 to its validation, a 5xx it hides with stale).</summary>
    public static ResponseHandling Discard { get; } = new(false, false);
}
