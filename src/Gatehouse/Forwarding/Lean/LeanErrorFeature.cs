using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>The lean path's <see cref="IForwarderErrorFeature"/>, set exactly where YARP's forwarder sets its own.</summary>
internal sealed class LeanErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
{
    public ForwarderError Error { get; } = error;

    public Exception? Exception { get; } = exception;
}
