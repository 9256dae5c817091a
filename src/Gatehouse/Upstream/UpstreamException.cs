namespace Gatehouse.Upstream;

/// <summary>An exchange with a backend failed; <see cref="Failure"/> says how, the message says why (for logs, never for clients).</summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(UpstreamFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public UpstreamException()
    {
    }

    public UpstreamException(string message)
        : base(message)
    {
    }

    public UpstreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UpstreamFailure Failure { get; }
}
