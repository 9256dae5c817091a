using Gatehouse.Http;
namespace Gatehouse.Protection;

/// <summary>
/// A route's <c>limits.requestBodyTimeout</c>: the whole request body must arrive within this time of the request
/// reaching the route, or the client connection is aborted. The body stream is wrapped so the clock stops at its end;
/// only requests on routes with a timeout pay for it.
/// </summary>
internal sealed class BodyTimeout : IDisposable
{
    private readonly ITimer _timer;

    private BodyTimeout(HttpContext context, TimeSpan timeout, TimeProvider time)
    {
        _timer = time.CreateTimer(static state => ((HttpContext)state!).Abort(), context, timeout, Timeout.InfiniteTimeSpan);
        context.Request.Body = new EndSignallingStream(context.Request.Body, this);
    }

    public static BodyTimeout Start(HttpContext context, TimeSpan timeout, TimeProvider time) => new(context, timeout, time);

    public void Dispose() => _timer.Dispose();

    private sealed class EndSignallingStream(Stream inner, BodyTimeout owner) : ReadOnlyBodyStream
    {
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Ended(inner.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Ended(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);

        // YARP waits for data with zero-byte reads; only an empty result for a real buffer is the end.
        private int Ended(int read, int requested)
        {
            if (read == 0 && requested > 0)
            {
                owner.Dispose();
            }

            return read;
        }
    }
}
