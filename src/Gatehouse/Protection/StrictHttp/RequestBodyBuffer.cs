using System.Buffers;
using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protection;

/// <summary>
/// Reads a request body ahead into a pooled buffer (<see cref="RequestBodyBufferingDecision"/>) and puts a stream over
/// it in place of the client's. A body read whole is forwarded with a Content-Length Gatehouse counted (a chunked
/// upload becomes one with a length), and can be replayed by a retry. The buffer goes back to the pool when the
/// response completes.
/// </summary>
internal static class RequestBodyBuffer
{
    private const int FirstSize = 4096;

    /// <summary>
    /// True when the request may go on; false when it was answered here (400 for a framing error, 413 past the body
    /// limit) or the client went away.
    /// </summary>
    public static async ValueTask<bool> FillAsync(HttpContext context, BodyBuffering mode, long limit)
    {
        var request = context.Request;
        var original = request.Body;
        var size = mode == BodyBuffering.Whole ? (int)request.ContentLength!.Value : (int)Math.Min(FirstSize, limit);
        var capacity = Math.Max(size, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        var ended = false;
        byte[]? beyond = null;
        try
        {
            while (true)
            {
                // Kestrel delivers exactly Content-Length bytes (a shorter body fails the read), so the count is the end.
                if (mode == BodyBuffering.Whole && length == size)
                {
                    ended = true;
                    break;
                }

                if (length == capacity)
                {
                    if (length >= limit)
                    {
                        // Full at the limit: one more byte tells a body of exactly the limit from a longer one, which
                        // streams on. (Reading into the rented array instead would hold what the pool rounded it up to:
                        // 128 KB for a 64 KB limit.)
                        beyond = new byte[1];
                        if (await original.ReadAsync(beyond, context.RequestAborted) == 0)
                        {
                            beyond = null;
                            ended = true;
                        }

                        break;
                    }

                    capacity = (int)Math.Min((long)capacity * 2, limit);
                    if (capacity > buffer.Length)
                    {
                        buffer = Grow(buffer, capacity);
                    }
                }

                var read = await original.ReadAsync(buffer.AsMemory(length, capacity - length), context.RequestAborted);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException bad)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await ErrorPages.RefuseAsync(context, bad.StatusCode, closeConnection: true);
            return false;
        }
        catch (IOException ex) when (ex is not Microsoft.AspNetCore.Connections.ConnectionResetException && !context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports an overflowing chunk size as an IOException (an OverflowException inside), not as a bad request.
            ArrayPool<byte>.Shared.Return(buffer);
            await ErrorPages.RefuseAsync(context, StatusCodes.Status400BadRequest, closeConnection: true);
            return false;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client went away mid-body: nothing is forwarded.
            ArrayPool<byte>.Shared.Return(buffer);
            context.Abort();
            return false;
        }

        var rented = buffer;
        context.Response.RegisterForDispose(new Returned(rented));
        if (ended)
        {
            request.Body = new MemoryStream(rented, 0, length, writable: false, publiclyVisible: false);
            // Gatehouse's own framing for the backend: the length it counted, never the client's chunked framing.
            request.Headers.TransferEncoding = default;
            request.ContentLength = length;
        }
        else
        {
            request.Body = new PrefixedBodyStream(rented.AsMemory(0, length), beyond is null ? original : new PrefixedBodyStream(beyond, original));
        }

        return true;
    }

    private static byte[] Grow(byte[] buffer, int size)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan().CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private sealed class Returned(byte[] buffer) : IDisposable
    {
        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
