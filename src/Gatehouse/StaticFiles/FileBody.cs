using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gatehouse.StaticFiles;

/// <summary>
/// Writes a file's bytes from its opened handle (docs/static-files.md, "Sending"). Kestrel has no sendfile(2): its
/// <c>IHttpResponseBodyFeature.SendFileAsync</c> opens the path again and copies through a FileStream, so it would
/// reopen a path whose links were checked on another handle; reading the checked handle with positioned reads into one
/// pooled 64 KiB buffer makes the same one copy per chunk.
/// </summary>
internal static class FileBody
{
    private const int ChunkBytes = 64 * 1024;

    public static async Task WriteAsync(OpenedFile file, long offset, long count, Stream body, CancellationToken cancel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkBytes, Math.Max(count, 1)));
        try
        {
            while (count > 0)
            {
                // A blocking positioned read, as nginx's (without aio): from the page cache it takes microseconds, where
                // RandomAccess.ReadAsync on a Linux file queues the same blocking read to the thread pool and waits for it.
                // Not on a socket engine's own thread, though (inline completions, docs/performance.md): a read that
                // waits for the disk there would stall every connection of that thread, so it goes to the pool.
                var chunk = buffer.AsMemory(0, (int)Math.Min(buffer.Length, count));
                var read = Thread.CurrentThread.IsThreadPoolThread
                    ? RandomAccess.Read(file.Handle, chunk.Span, offset)
                    : await RandomAccess.ReadAsync(file.Handle, chunk, offset, cancel);
                if (read == 0)
                {
                    // The file shrank after its length was sent: the response cannot be completed truthfully.
                    throw new IOException($"{file.Name} ended {count} bytes early");
                }
                await body.WriteAsync(buffer.AsMemory(0, read), cancel);
                offset += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A multipart/byteranges body (RFC 9110 §14.6): each part's head, and the length of the whole.</summary>
    public static (byte[][] PartHeads, byte[] End, long Length) Multipart(IReadOnlyList<FileRange> ranges, string boundary, string contentType, long total)
    {
        var heads = new byte[ranges.Count][];
        long length = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            heads[i] = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"\r\n--{boundary}\r\nContent-Type: {contentType}\r\nContent-Range: {ranges[i].ContentRange(total)}\r\n\r\n"));
            length += heads[i].Length + ranges[i].Length;
        }
        var end = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        return (heads, end, length + end.Length);
    }
}
