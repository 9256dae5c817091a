using System.Buffers;

namespace Gatehouse.Forwarding;

/// <summary>
/// One FastCGI request on one connection: the request records go out on one task (BEGIN_REQUEST, PARAMS, then the
/// body as STDIN as the client sends it) while the response records are read on the other, so that a script writing
/// before it has read its whole input never deadlocks against a full socket buffer. Every record read or written
/// restarts the activity timeout.
/// </summary>
internal sealed class FastCgiExchange(Stream connection, CancellationTokenSource activity, TimeSpan activityTimeout) : IDisposable
{
    private const ushort RequestId = 1;
    private const int BodyChunk = 32 * 1024;

    // Reads only: the writer task writes to the connection itself, so the two never share a buffer.
    private readonly BufferedStream _reader = new(connection, 64 * 1024);
    private readonly byte[] _header = new byte[FastCgiRecordHeader.Size];
    private readonly byte[] _content = ArrayPool<byte>.Shared.Rent(FastCgiRecords.MaxContentLength + 256);

    /// <summary>Reading the client's body failed (it went away, or sent too much): the exchange was stopped for it.</summary>
    public Exception? ClientBodyFailure { get; private set; }

    public CancellationToken Token => activity.Token;

    private void Touch() => activity.CancelAfter(activityTimeout);

    public async Task SendRequestAsync(byte[] parameters, Stream? body)
    {
        byte[]? buffer = null;
        try
        {
            var head = new List<byte>(parameters.Length + 64);
            FastCgiRecords.WriteBeginRequest(head, RequestId, keepConnection: false);
            FastCgiRecords.WriteStream(head, FastCgiRecordType.Params, RequestId, parameters);
            FastCgiRecords.WriteRecord(head, FastCgiRecordType.Params, RequestId, []);
            if (body is null)
            {
                FastCgiRecords.WriteRecord(head, FastCgiRecordType.Stdin, RequestId, []);
            }

            await connection.WriteAsync(head.ToArray(), activity.Token);
            Touch();
            if (body is null)
            {
                return;
            }

            buffer = ArrayPool<byte>.Shared.Rent(FastCgiRecordHeader.Size + BodyChunk + 8);
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(FastCgiRecordHeader.Size, BodyChunk), activity.Token);
                }
                catch (Exception e)
                {
                    ClientBodyFailure = e;
                    await activity.CancelAsync();
                    return;
                }

                // An empty STDIN record ends the stream.
                var padding = FastCgiRecords.WriteHeader(buffer, FastCgiRecordType.Stdin, RequestId, read);
                buffer.AsSpan(FastCgiRecordHeader.Size + read, padding).Clear();
                await connection.WriteAsync(buffer.AsMemory(0, FastCgiRecordHeader.Size + read + padding), activity.Token);
                Touch();
                if (read == 0)
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            // The server closed or reset the connection while taking the request: the reader meets the same failure
            // (or the server's answer, when it replied without reading everything), and reports it.
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>After the response: a request still being sent (the script answered without reading it all) is stopped.</summary>
    public async Task FinishSendingAsync(Task sending)
    {
        if (!sending.IsCompleted)
        {
            await activity.CancelAsync();
        }

        await sending;
    }

    /// <summary>The next record; its content is valid until the next call. Throws at the end of the stream or on a record that is not FastCGI 1.</summary>
    public async ValueTask<(FastCgiRecordHeader Header, ReadOnlyMemory<byte> Content)> ReadRecordAsync()
    {
        await _reader.ReadExactlyAsync(_header, activity.Token);
        if (!FastCgiRecordHeader.TryRead(_header, out var header))
        {
            throw new InvalidDataException("the server sent something that is not a FastCGI 1 record");
        }

        await _reader.ReadExactlyAsync(_content.AsMemory(0, header.ContentLength + header.PaddingLength), activity.Token);
        Touch();
        return (header, _content.AsMemory(0, header.ContentLength));
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_content);
}
