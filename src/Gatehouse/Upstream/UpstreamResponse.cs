using System.IO.Pipelines;
using Gatehouse.Http1;

namespace Gatehouse.Upstream;

/// <summary>
/// A backend's final response head, with its body still on the connection. Read the body (once), then dispose: the
/// connection goes back to the pool only if the body was read to a clean end and the head allows keep-alive.
/// </summary>
public sealed class UpstreamResponse : IAsyncDisposable
{
    private readonly UpstreamPool _pool;
    private UpstreamConnection? _connection;

    internal UpstreamResponse(UpstreamPool pool, UpstreamConnection connection, ResponseHead head)
    {
        _pool = pool;
        _connection = connection;
        Head = head;
    }

    public ResponseHead Head { get; }

    /// <summary>Copies the body to <paramref name="destination"/>; throws <see cref="UpstreamException"/> when the framing breaks or the backend stops early.</summary>
    public Task CopyBodyToAsync(Stream destination, CancellationToken cancellation = default) => CopyBodyToAsync(destination, null, cancellation);

    /// <summary>As above; <paramref name="progress"/> is called after each piece written (an activity timeout restarts on it).</summary>
    public Task CopyBodyToAsync(Stream destination, Action? progress, CancellationToken cancellation) =>
        Connection.CopyBodyToAsync(destination, progress, cancellation);

    /// <summary>As above, to a pipe (a response's <c>BodyWriter</c>): a large body is read straight into its memory, with no copy between.</summary>
    public Task CopyBodyToAsync(PipeWriter destination, Action? progress, CancellationToken cancellation) =>
        Connection.CopyBodyToAsync(destination, progress, cancellation);

    /// <summary>The trailer fields of a chunked body, once it has been read; empty otherwise.</summary>
    public HeaderFields Trailers => Connection.Trailers;

    /// <summary>Why sending the request body failed, once that send has ended (a backend may answer before reading it all).</summary>
    public Exception? RequestBodyFailure => Connection.SendFailure;

    private UpstreamConnection Connection => _connection ?? throw new ObjectDisposedException(nameof(UpstreamResponse));

    public ValueTask DisposeAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        return connection is null ? ValueTask.CompletedTask : _pool.ReturnAsync(connection);
    }
}
