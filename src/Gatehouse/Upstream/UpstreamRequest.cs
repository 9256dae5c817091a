using Gatehouse.Http1;

namespace Gatehouse.Upstream;

/// <summary>
/// A request as Gatehouse sends it upstream: the fields already transformed (hop-by-hop and identity headers decided
/// by the caller), and the one framing Gatehouse chose. <see cref="Body"/> is read to its end (Chunked) or for exactly
/// <see cref="ContentLength"/> bytes.
/// </summary>
public sealed record UpstreamRequest(string Method, string Target, string Host, IRequestFields Fields)
{
    public UpstreamRequest(string method, string target, string host, IReadOnlyList<KeyValuePair<string, string>> fields)
        : this(method, target, host, new RequestFieldList(fields))
    {
    }

    public RequestBodyFraming BodyFraming { get; init; } = RequestBodyFraming.None;

    public long ContentLength { get; init; }

    public Stream? Body { get; init; }

    /// <summary>
    /// Called after each piece of the body goes out (the forwarder restarts its activity timeout there, as YARP's
    /// copier does, so a slow upload that keeps moving is not cut as idle).
    /// </summary>
    public Action? Progress { get; init; }

    public bool IsHead => Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
}
