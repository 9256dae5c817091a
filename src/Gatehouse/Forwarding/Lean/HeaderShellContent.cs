using System.Net;

namespace Gatehouse.Forwarding;

/// <summary>
/// The content of the HttpRequestMessage/HttpResponseMessage the lean path builds only so that YARP's transformers can
/// run on them unchanged: it carries the content headers (Content-Type, Content-Length…) and never serialises. The
/// bodies go between Kestrel and the backend's connection directly.
/// </summary>
internal sealed class HeaderShellContent : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        throw new NotSupportedException("the lean path copies bodies itself");

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
