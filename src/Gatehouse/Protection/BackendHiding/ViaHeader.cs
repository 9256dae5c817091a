namespace Gatehouse.Protection;

/// <summary>
/// The member Gatehouse adds to <c>Via</c> when configured with a name (RFC 9110 §7.6.3): the protocol version of the
/// message as Gatehouse received it, then the name (a pseudonym; never a host or port). The four possible values are
/// built once per config so the request path allocates nothing.
/// </summary>
public sealed class ViaHeader
{
    private readonly string _http10;
    private readonly string _http11;
    private readonly string _http2;
    private readonly string _http3;

    public ViaHeader(string name)
    {
        Name = name;
        _http10 = "1.0 " + name;
        _http11 = "1.1 " + name;
        _http2 = "2 " + name;
        _http3 = "3 " + name;
    }

    public string Name { get; }

    /// <summary>For a request, from its protocol as ASP.NET Core names it (<c>HTTP/1.1</c>, <c>HTTP/2</c>…).</summary>
    public string ForProtocol(string protocol) => protocol switch
    {
        "HTTP/1.0" => _http10,
        "HTTP/2" => _http2,
        "HTTP/3" => _http3,
        _ => _http11,
    };

    /// <summary>For a backend response, from the version it came with.</summary>
    public string ForVersion(Version version) => version.Major switch
    {
        1 when version.Minor == 0 => _http10,
        2 => _http2,
        3 => _http3,
        _ => _http11,
    };
}
