using System.IO.Pipelines;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Answers a request from a stored response: the whole response, a 304 to the client's own conditional request
/// (RFC 9111 §4.3.2), a 206 or 416 to its Range (RFC 9110 §14), or the header section alone to a HEAD. The stored
/// bytes are sent as they are (§5.2.2.6: never transformed); trailers are never stored, so none are sent.
/// </summary>
/// <remarks>
/// The header fields come ready from the entry's <see cref="StoredResponseHead"/>; only Age, Content-Length,
/// Content-Range and Cache-Status are set per request. The body goes from the stored memory to the response's
/// <c>PipeWriter</c> with no copy of the cache's own: copied once into the pipe's memory, in pieces of up to 64 KiB
/// (Kestrel's <c>SendFileAsync</c> is a stream copy too, so a file would not spare that).
/// </remarks>
internal static class StoredResponseWriter
{
    /// <param name="context">The request to answer.</param>
    /// <param name="entry">The stored response, already judged usable for this request.</param>
    /// <param name="conditions">The outcome of <see cref="ClientConditions.Evaluate"/> (not <see cref="ConditionalOutcome.Forward"/>).</param>
    /// <param name="status">This cache's Cache-Status member.</param>
    /// <param name="now">When the response is sent, for Age.</param>
    /// <param name="ownTargetedField">The cache's own targeted field, never sent to clients.</param>
    public static Task WriteAsync(HttpContext context, CachedResponse entry, ConditionalOutcome conditions, CacheStatus status, DateTimeOffset now, string? ownTargetedField) =>
        WriteAsync(context, entry, StoredResponseHead.Of(entry, ownTargetedField), conditions, status.ToString(), now);

    /// <summary>
    /// Answers a hit: the Cache-Status member <c>hit</c> with <c>ttl</c>, the key when the route exposes it, and
    /// <paramref name="detail"/>; formatted once a second per entry, not per request.
    /// </summary>
    public static Task WriteHitAsync(CacheRequest request, string cacheName, CachedResponse entry, ConditionalOutcome conditions, TimeSpan timeToLive, string? detail, DateTimeOffset now)
    {
        var settings = request.Settings;
        var head = StoredResponseHead.Of(entry, settings.OwnTargetedField);
        var status = head.HitStatus(cacheName, settings.ExposeKey ? request.KeyText : null, timeToLive, detail);
        return WriteAsync(request.Context, entry, head, conditions, status, now);
    }

    /// <summary>Answers 504 (RFC 9111 §5.2.1.7 only-if-cached, §5.2.2.2 disconnected with must-revalidate).</summary>
    public static void WriteGatewayTimeout(HttpContext context, CacheStatus status)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status504GatewayTimeout;
        response.ContentLength = 0;
        CacheStatusField.Append(response.Headers, status);
    }

    private static Task WriteAsync(HttpContext context, CachedResponse entry, StoredResponseHead head, ConditionalOutcome conditions, string status, DateTimeOffset now)
    {
        var response = context.Response;
        var headers = response.Headers;
        var age = head.Age(entry.Freshness.CurrentAge(now));
        if (conditions == ConditionalOutcome.NotModified)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            foreach (var (name, value) in head.NotModifiedFields)
            {
                headers[name] = value;
            }
            headers.Age = age;
            CacheStatusField.Append(headers, status);
            return Task.CompletedTask;
        }

        if (entry.IsPartial)
        {
            return WritePartAsync(context, entry, head, status, age);
        }
        var body = entry.Body;
        var request = context.Request;
        // Without Range, ByteRanges.Decide answers Full; skipping it spares a decision object per hit.
        var range = request.Headers.Range.Count == 0
            ? null
            : ByteRanges.Decide(request.Method, request.Headers, entry.StatusCode, head.View, body.Length);
        if (range?.Outcome == RangeOutcome.NotSatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            headers.ContentRange = range.ContentRange;
            response.ContentLength = 0;
            CacheStatusField.Append(headers, status);
            return Task.CompletedTask;
        }

        var partial = range?.Outcome == RangeOutcome.Partial;
        response.StatusCode = partial ? StatusCodes.Status206PartialContent : entry.StatusCode;
        foreach (var (name, value) in head.Fields)
        {
            headers[name] = value;
        }
        headers.Age = age;
        if (partial)
        {
            headers.ContentRange = range!.ContentRange;
        }
        var offset = range?.Offset ?? 0;
        var length = range?.Length ?? body.Length;
        if (CanHaveContent(response.StatusCode))
        {
            response.ContentLength = length;
        }
        CacheStatusField.Append(headers, status);

        if (HttpMethods.IsHead(request.Method) || length == 0)
        {
            return Task.CompletedTask;
        }
        return WriteBodyAsync(response, body.Slice((int)offset, (int)length), context.RequestAborted);
    }

    /// <summary>
    /// Pieces a body is handed to the response pipe in. Kestrel's pipe serves a request for more than its 4 KiB blocks
    /// with one pooled array, so a 100 KiB body goes in two copies into two arrays instead of 25 into 25 blocks (each
    /// block rented, written and returned on its own). 64 KiB keeps each array below the large object heap, and at
    /// Kestrel's default response buffer (64 KiB) a flush of one piece is a send.
    /// </summary>
    private const int BodyPiece = 64 * 1024;

    /// <summary>A body up to one of Kestrel's blocks goes in one plain write.</summary>
    private const int BodyPieceMinimum = 4096;

    private static Task WriteBodyAsync(HttpResponse response, ReadOnlyMemory<byte> body, CancellationToken cancellation)
    {
        if (body.Length <= BodyPieceMinimum)
        {
            // One write: Kestrel puts a first write of a response that has not started straight behind its head.
            var write = response.BodyWriter.WriteAsync(body, cancellation);
            // ValueTask.AsTask would allocate a Task even when the write completed at once, which is the usual case.
            return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
        }

        // Started first (the head goes into the pipe, nothing is sent yet): memory asked of a response that has not
        // started is a side buffer, copied into the pipe again when it starts.
        var start = response.StartAsync(cancellation);
        return start.IsCompletedSuccessfully ? WritePiecesAsync(response.BodyWriter, body, cancellation) : StartedAsync(start, response, body, cancellation);

        static async Task StartedAsync(Task start, HttpResponse response, ReadOnlyMemory<byte> body, CancellationToken cancellation)
        {
            await start;
            await WritePiecesAsync(response.BodyWriter, body, cancellation);
        }
    }

    /// <summary>
    /// Copies the body into the pipe's memory piece by piece, with a flush after each: a large body waits for the client
    /// instead of piling up in the pipe, and each response holds one pooled array at a time (two at once per response
    /// outran the shared pool's 32 arrays per core at 64 connections, and a third of the pieces were new arrays).
    /// </summary>
    private static async Task WritePiecesAsync(PipeWriter writer, ReadOnlyMemory<byte> body, CancellationToken cancellation)
    {
        while (!body.IsEmpty)
        {
            var memory = writer.GetMemory(Math.Min(body.Length, BodyPiece));
            var piece = Math.Min(Math.Min(body.Length, BodyPiece), memory.Length);
            body.Span[..piece].CopyTo(memory.Span);
            writer.Advance(piece);
            body = body[piece..];
            await writer.FlushAsync(cancellation);
        }
    }

    /// <summary>
    /// Answers from stored parts (RFC 9111 §3.3): a 206 with the range the parts cover, which the caller has checked
    /// (<see cref="PartialContent.Answerable"/>).
    /// </summary>
    private static Task WritePartAsync(HttpContext context, CachedResponse entry, StoredResponseHead head, string status, string age)
    {
        var request = context.Request;
        var range = PartialContent.Answerable(request.Method, request.Headers, head.View, entry.Parts!)
            ?? throw new InvalidOperationException("The stored parts do not cover the request's range.");
        var response = context.Response;
        var headers = response.Headers;
        response.StatusCode = StatusCodes.Status206PartialContent;
        foreach (var (name, value) in head.Fields)
        {
            headers[name] = value;
        }
        headers.Age = age;
        headers.ContentRange = PartialContent.ContentRange(range);
        response.ContentLength = range.Length;
        CacheStatusField.Append(headers, status);
        return WriteBodyAsync(response, entry.SparseBody.Slice(range), context.RequestAborted);
    }

    /// <summary>RFC 9110 §8.6: no Content-Length in 1xx, 204 and 304 responses.</summary>
    private static bool CanHaveContent(int statusCode) => statusCode is >= 200 and not 204 and not 304;
}
