using System.Text;

namespace Gatehouse.Http1;

/// <summary>A parsed, valid response head: immutable, and independent of the buffers it was read from.</summary>
public sealed class ResponseHead
{
    private readonly Range _reason;

    internal ResponseHead(int minorVersion, int statusCode, Range reason, HeaderFields fields, ResponseFraming.Decision framing)
    {
        MinorVersion = minorVersion;
        StatusCode = statusCode;
        _reason = reason;
        Fields = fields;
        Framing = framing.Framing;
        ContentLength = framing.ContentLength;
        KeepAlive = framing.KeepAlive;
    }

    /// <summary>0 or 1, for HTTP/1.0 and HTTP/1.1.</summary>
    public int MinorVersion { get; }

    public int StatusCode { get; }

    public ReadOnlySpan<byte> ReasonBytes => Fields.Slice(_reason);

    public string Reason => Encoding.Latin1.GetString(ReasonBytes);

    public HeaderFields Fields { get; }

    public BodyFraming Framing { get; }

    /// <summary>The declared length when <see cref="Framing"/> is <see cref="BodyFraming.ContentLength"/>; otherwise -1.</summary>
    public long ContentLength { get; }

    /// <summary>
    /// Whether the connection may carry another request once this response's body has been read to its end
    /// (RFC 9112 §9.3): HTTP/1.1 without "Connection: close", with a delimited body, and not a 101.
    /// </summary>
    public bool KeepAlive { get; }

    public ResponseKind Kind => StatusCode switch
    {
        101 => ResponseKind.SwitchingProtocols,
        < 200 => ResponseKind.Interim,
        _ => ResponseKind.Final,
    };
}
