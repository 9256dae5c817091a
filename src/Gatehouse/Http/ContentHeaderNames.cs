using System.Collections.Frozen;

namespace Gatehouse.Http;

/// <summary>
/// The fields HttpClient keeps in a message's content headers rather than in its headers (its KnownHeaders of type
/// Content). Transforms that look only at <c>HttpResponseMessage.Headers</c> never see these, so their direct forms
/// pass them over too.
/// </summary>
public static class ContentHeaderNames
{
    private static readonly FrozenSet<string> Names = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool Contains(string name) => Names.Contains(name);
}
