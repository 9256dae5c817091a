using System.Buffers;
using System.IO.Pipelines;
using Gatehouse.Http1;

namespace Gatehouse.Upstream;

/// <summary>Writes a request body into the connection's pipe with the framing Gatehouse chose for it.</summary>
internal static class UpstreamRequestBody
{
    private const int ChunkSize = 16 * 1024;

    public static async ValueTask WriteAsync(PipeWriter output, UpstreamRequest request, CancellationToken cancellation)
    {
        switch (request.BodyFraming)
        {
            case RequestBodyFraming.ContentLength when request.ContentLength > 0:
                await WriteExactlyAsync(output, request.Body ?? Stream.Null, request.ContentLength, request.Progress, cancellation);
                break;
            case RequestBodyFraming.Chunked:
                await WriteChunkedAsync(output, request.Body ?? Stream.Null, request.Progress, cancellation);
                break;
        }
    }

    /// <summary>
    /// Exactly the declared bytes: a body that ends early would leave the backend waiting for the rest (and read the
    /// next request as it), one that runs long would smuggle its excess as a request. Both fail the exchange.
    /// </summary>
    private static async ValueTask WriteExactlyAsync(PipeWriter output, Stream body, long length, Action? progress, CancellationToken cancellation)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var memory = output.GetMemory(ChunkSize);
            var read = await ReadClientAsync(body, memory[..(int)Math.Min(memory.Length, remaining)], cancellation);
            if (read == 0)
            {
                throw new InvalidDataException($"the request body ended {remaining} bytes before its Content-Length");
            }

            output.Advance(read);
            remaining -= read;
            await output.FlushAsync(cancellation);
            progress?.Invoke();
        }

        if (await ReadClientAsync(body, new byte[1], cancellation) != 0)
        {
            throw new InvalidDataException("the request body is longer than its Content-Length");
        }
    }

    private static async ValueTask WriteChunkedAsync(PipeWriter output, Stream body, Action? progress, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await ReadClientAsync(body, buffer.AsMemory(0, ChunkSize), cancellation)) > 0)
            {
                ChunkedBodyWriter.WriteChunk(output, buffer.AsSpan(0, read));
                await output.FlushAsync(cancellation);
                progress?.Invoke();
            }

            ChunkedBodyWriter.WriteEnd(output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A read from the client's body. Its failures become <see cref="InvalidDataException"/>, the mark of a failure on
    /// the client's side (as are a body shorter or longer than declared): the backend is still waiting for the rest, so
    /// its answer is not worth waiting for. Any other failure is the backend's connection.
    /// </summary>
    private static async ValueTask<int> ReadClientAsync(Stream body, Memory<byte> buffer, CancellationToken cancellation)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException("reading the request body failed: " + e.Message, e);
        }
    }
}
