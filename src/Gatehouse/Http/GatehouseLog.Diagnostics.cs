namespace Gatehouse.Http;

/// <summary>Gatehouse's lines about itself stopping, and about clients (event ids 1100 and up).</summary>
internal static partial class GatehouseLog
{
    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "{Banner}")]
    public static partial void Started(ILogger logger, string banner);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Gatehouse draining: no new connections; requests in flight have up to {DrainTimeout} to finish")]
    public static partial void Draining(ILogger logger, string drainTimeout);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Gatehouse stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "{Method} {Path} (request {RequestId}): the client went away during the exchange with {Cluster}/{Destination} ({Error})")]
    public static partial void ClientWentAway(ILogger logger, string method, string path, string requestId, string cluster, string destination, string error);
}
