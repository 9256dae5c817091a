namespace Gatehouse.Http1;

/// <summary>
/// What Gatehouse reads from a backend before it gives up on the reply. A backend is trusted more than a client, but a
/// broken or compromised one must not make Gatehouse buffer without bound.
/// </summary>
public sealed record Http1Limits
{
    public static Http1Limits Default { get; } = new();

    /// <summary>The whole response head, status line and final CRLF included (nginx's proxy_buffer_size is 4-8 KiB; Kestrel's request head limit is 32 KiB).</summary>
    public int MaxHeadBytes { get; init; } = 64 * 1024;

    /// <summary>Field lines in one head, and in one trailer section.</summary>
    public int MaxFields { get; init; } = 256;

    /// <summary>One chunk-size line with its extensions and CRLF; extensions are ignored, so a long one is only a cost.</summary>
    public int MaxChunkLineBytes { get; init; } = 4096;

    /// <summary>The trailer section of a chunked body, final CRLF included.</summary>
    public int MaxTrailerBytes { get; init; } = 16 * 1024;
}
