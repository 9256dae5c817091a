namespace Gatehouse.Http1;

/// <summary>How the body of a response ends (RFC 9112 §6.3).</summary>
public enum BodyFraming
{
    /// <summary>No body: a response to HEAD, a 1xx, 204 or 304.</summary>
    None,

    /// <summary>Exactly <see cref="ResponseHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary>The chunked transfer coding; decode with <see cref="ChunkedBodyDecoder"/>.</summary>
    Chunked,

    /// <summary>Everything until the backend closes; the connection is never reused and a truncation cannot be told apart from the end.</summary>
    ReadUntilClose,
}

public enum ResponseKind
{
    /// <summary>1xx other than 101 (100 Continue, 103 Early Hints): the final response follows on the same connection.</summary>
    Interim,

    /// <summary>101: the connection is no longer HTTP. The lean path sends no upgrade, so the caller refuses it.</summary>
    SwitchingProtocols,

    Final,
}
