using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Http;

/// <summary>How Gatehouse reads YARP's <see cref="ForwarderError"/> where more than one step needs the same answer.</summary>
public static class ForwarderErrors
{
    /// <summary>
    /// The client cancelled or broke its side of the exchange: not the destination's fault, so the attempt is neither
    /// retried nor counted against the destination's passive health, nor logged as a warning. That includes an upgraded
    /// connection (a WebSocket) that the client closed without a close frame: a closed tab, a lost network.
    /// </summary>
    public static bool IsClientSide(ForwarderError error) =>
        error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient;
}
