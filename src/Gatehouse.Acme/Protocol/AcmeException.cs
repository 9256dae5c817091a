using System.Net;

namespace Gatehouse.Acme.Protocol;

/// <summary>
/// A request the ACME server refused, or an order/authorization that ended invalid. Carries the problem document
/// (type, detail, status) and the server's Retry-After, so the caller can back off as the CA asks.
/// </summary>
public sealed class AcmeException : Exception
{
    public AcmeException(string message, AcmeProblem? problem = null, HttpStatusCode? httpStatus = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(problem is null ? message : $"{message}: {problem}", inner)
    {
        Problem = problem;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
    }

    public AcmeException() : this("ACME request failed") { }

    public AcmeException(string message) : this(message, null) { }

    public AcmeException(string message, Exception? inner) : this(message, null, null, null, inner) { }

    public AcmeProblem? Problem { get; }

    public HttpStatusCode? HttpStatus { get; }

    /// <summary>How long the server asked the client to wait before trying again, when it said so.</summary>
    public TimeSpan? RetryAfter { get; }
}
