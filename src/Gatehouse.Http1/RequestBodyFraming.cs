namespace Gatehouse.Http1;

/// <summary>The one framing Gatehouse gives a request it sends upstream, whatever framing the client used.</summary>
public enum RequestBodyFraming
{
    /// <summary>No body and no framing field (GET, HEAD, a bodiless DELETE).</summary>
    None,

    /// <summary>"Content-Length: N", when the length is known before the body is sent.</summary>
    ContentLength,

    /// <summary>"Transfer-Encoding: chunked", when it is not.</summary>
    Chunked,
}
