using System.Collections.Concurrent;
using System.Net;

namespace Gatehouse.Upstream;

/// <summary>
/// The keep-alive connections to one destination. A connection is reused only after a clean exchange, only while
/// younger than <see cref="UpstreamOptions.IdleTimeout"/>, and only if nothing arrived while it was idle; everything
/// else is closed. The most recently used connection is reused first (its socket is warmest, and the others age out).
/// </summary>
public sealed class UpstreamPool : IAsyncDisposable
{
    private readonly EndPoint _destination;
    private readonly ReadOnlyMemory<byte> _preface;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentStack<UpstreamConnection> _idle = new();
    private readonly ITimer _sweeper;
    private long _opened;
    private volatile bool _disposed;

    public UpstreamPool(EndPoint destination, UpstreamOptions? options = null, TimeProvider? time = null)
        : this(destination, ReadOnlyMemory<byte>.Empty, options, time)
    {
    }

    /// <summary>A pool whose every connection begins with <paramref name="preface"/> (a PROXY protocol header: one client's pool).</summary>
    public UpstreamPool(EndPoint destination, ReadOnlyMemory<byte> preface, UpstreamOptions? options = null, TimeProvider? time = null)
    {
        _destination = destination;
        _preface = preface;
        _options = options ?? new UpstreamOptions();
        _time = time ?? TimeProvider.System;
        var period = _options.IdleTimeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : _options.IdleTimeout / 2;
        _sweeper = _time.CreateTimer(_ => SweepIdle(), null, period, period);
    }

    /// <summary>Connections opened so far (for tests and metrics: a reused connection does not count again).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _opened);

    public int IdleCount => _idle.Count;

    /// <summary>
    /// Sends <paramref name="request"/> and returns the final response head. A client request reaches the backend at
    /// most once (issue 16): a request without a body is sent again, on a new connection, only when it provably never
    /// reached the backend's application: its head could not be written to a reused connection, or the backend's
    /// kernel reset that connection without acknowledging a byte of it (the backend had closed it just before it was
    /// taken, see <see cref="UpstreamConnection.LastRequestProvablyUnreadAsync"/>). A reused connection that closes
    /// after the backend took the request, before a response byte, is no such proof (the backend may have read it and
    /// died while acting on it), so that failure propagates as <see cref="UpstreamException"/> like any other;
    /// HttpClient would send the request again. The idle timeout (4 s, below the 5 s of Node.js, uvicorn and Apache)
    /// and the check of an idle connection before it is taken keep the race itself rare.
    /// </summary>
    public async Task<UpstreamResponse> SendAsync(UpstreamRequest request, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = TakeIdle(cancellation);
        var reused = connection is not null;
        connection ??= await OpenAsync(cancellation);
        try
        {
            return new UpstreamResponse(this, connection, await connection.SendAsync(request, cancellation));
        }
        catch (UpstreamException e) when (reused && request.Body is null && e.Failure is UpstreamFailure.SendFailed or UpstreamFailure.ClosedBeforeResponse)
        {
            var neverRead = e.Failure is UpstreamFailure.SendFailed || await connection.LastRequestProvablyUnreadAsync(_time, cancellation);
            await connection.DisposeAsync();
            if (!neverRead)
            {
                throw;
            }

            connection = await OpenAsync(cancellation);
            try
            {
                return new UpstreamResponse(this, connection, await connection.SendAsync(request, cancellation));
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    internal ValueTask ReturnAsync(UpstreamConnection connection)
    {
        if (!connection.Reusable || _disposed || _idle.Count >= _options.MaxIdleConnections)
        {
            return connection.DisposeAsync();
        }

        connection.IdleSince = _time.GetTimestamp();
        _idle.Push(connection);
        return ValueTask.CompletedTask;
    }

    private UpstreamConnection? TakeIdle(CancellationToken cancellation)
    {
        while (_idle.TryPop(out var connection))
        {
            if (_time.GetElapsedTime(connection.IdleSince) < _options.IdleTimeout && connection.PrepareForReuse(cancellation))
            {
                return connection;
            }

            connection.Close();
        }

        return null;
    }

    private async Task<UpstreamConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = await UpstreamConnection.ConnectAsync(_destination, _options, _preface, cancellation);
        Interlocked.Increment(ref _opened);
        return connection;
    }

    /// <summary>Closes the idle connections past their timeout, so an unused pool does not hold sockets forever.</summary>
    private void SweepIdle()
    {
        var keep = new List<UpstreamConnection>();
        while (_idle.TryPop(out var connection))
        {
            if (_time.GetElapsedTime(connection.IdleSince) < _options.IdleTimeout && !_disposed)
            {
                keep.Add(connection);
            }
            else
            {
                connection.Close();
            }
        }

        // Back in the same order: the most recently used on top.
        for (var i = keep.Count - 1; i >= 0; i--)
        {
            _idle.Push(keep[i]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _sweeper.DisposeAsync();
        while (_idle.TryPop(out var connection))
        {
            await connection.DisposeAsync();
        }
    }
}
