namespace Gatehouse.Http;

/// <summary>The PROXY protocol's lines (event ids 1200 and up). Refusals are what clients cause: debug level, as Kestrel's own.</summary>
internal static partial class GatehouseLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Debug, Message = "PROXY protocol: connection from {Peer} refused: {Reason}")]
    public static partial void ProxyProtocolRefused(ILogger logger, string peer, string reason);
}
