using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Compression;

/// <summary>
/// The response body as the steps below compression see it. At the first write, start or completion — when the status
/// and headers are final and none has been sent — it decides from them (<see cref="ResponseEligibility"/>) and the
/// client's choice, fixes the headers, and from then on passes every write through the encoder or straight on. The
/// encoder writes to the next body as it fills; a flush from below flushes the encoder too (server-sent events, long
/// polls), so nothing is held back that the backend meant to send.
/// </summary>
internal sealed class CompressingResponseBody(
    HttpContext context,
    IHttpResponseBodyFeature next,
    RouteCompression settings,
    EncodingChoice choice,
    bool requestAllows,
    IReadOnlyList<string> clientEncodedTags,
    CompressionStats stats) : Stream, IHttpResponseBodyFeature
{
    private bool _decided;
    private Stream? _encoder;
    private PipeWriter? _writer;
    private bool _completed;

    public Stream Stream => this;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>The coding applied, once decided; null for identity.</summary>
    public ContentCoding? Applied { get; private set; }

    public void DisableBuffering() => next.DisableBuffering();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Decide();
        await next.StartAsync(cancellationToken);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        Decide();
        return _encoder is null
            ? next.SendFileAsync(path, offset, count, cancellationToken)
            : SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);
    }

    public async Task CompleteAsync()
    {
        if (_completed)
        {
            return;
        }
        await FinishAsync();
        await next.CompleteAsync();
    }

    /// <summary>Decides (if nothing was written) and ends the encoded stream; the next body stays open for the steps above.</summary>
    public async Task FinishAsync()
    {
        if (_completed)
        {
            return;
        }
        Decide();
        _completed = true;
        if (_writer is not null)
        {
            await _writer.CompleteAsync();
        }
        if (_encoder is not null)
        {
            await _encoder.DisposeAsync(); // writes the coding's last block
            _encoder = null;
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Decide();
        if (_encoder is not null)
        {
            await _encoder.WriteAsync(buffer, cancellationToken);
        }
        else
        {
            await next.Stream.WriteAsync(buffer, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous calls go to the synchronous methods below, never wait for an asynchronous one: Kestrel, at the bottom,
    // refuses them (AllowSynchronousIO is off), and no thread blocks on I/O (docs/performance.md).
    public override void Write(byte[] buffer, int offset, int count)
    {
        Decide();
        (_encoder ?? next.Stream).Write(buffer, offset, count);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        Decide();
        if (_encoder is not null)
        {
            await _encoder.FlushAsync(cancellationToken);
        }
        await next.Stream.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        Decide();
        _encoder?.Flush();
        next.Stream.Flush();
    }

    /// <summary>After a failure below: the encoder's native state is freed; what it held is lost with the response.</summary>
    public void ReleaseEncoder()
    {
        try
        {
            _encoder?.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The client or the response is gone; there is nobody left to send the last block to.
        }
        _encoder = null;
    }

    /// <summary>Once: from here on the headers are what the client gets.</summary>
    public void Decide()
    {
        if (_decided)
        {
            return;
        }
        _decided = true;
        var response = context.Response;
        var headers = response.Headers;
        if (response.StatusCode == StatusCodes.Status304NotModified)
        {
            NotModified(headers);
            return;
        }
        if (ResponseEligibility.Decide(response.StatusCode, headers, settings.Types, settings.MinimumSize) != CompressionRefusal.Eligible)
        {
            return;
        }
        // The representation now depends on Accept-Encoding, whether or not this client gets a coding (nginx's gzip_vary).
        VaryField.AddAcceptEncoding(headers);
        if (!requestAllows || choice.Coding is not { } coding)
        {
            return;
        }
        Applied = coding;
        headers.ContentEncoding = ContentCodings.Name(coding);
        if (EncodedEntityTags.ForCoding(headers.ETag.ToString(), coding) is { } etag)
        {
            headers.ETag = etag;
        }
        // The length and the byte ranges of the encoded representation are unknown until it is made.
        var identityLength = response.ContentLength;
        response.ContentLength = null;
        headers.Remove(HeaderNames.AcceptRanges);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        _encoder = Encoders.Create(coding, Level(coding, headers, identityLength), next.Stream);
        stats.Compressed(coding, fromStored: false);
    }

    /// <summary>
    /// The stored level for a response the cache will likely keep (a cached route, a known length within
    /// <see cref="RouteCompression.StoredLevelMaxBytes"/>, no no-store or private); the on-the-fly level otherwise.
    /// </summary>
    private int Level(ContentCoding coding, IHeaderDictionary headers, long? identityLength) =>
        settings.Cached && identityLength is <= RouteCompression.StoredLevelMaxBytes && !ResponseEligibility.HasDirective(headers, "no-store")
            && !ResponseEligibility.HasDirective(headers, "private")
            ? settings.StoredLevels[coding]
            : settings.Levels[coding];

    /// <summary>A 304 to a client that holds an encoded representation names that representation's tag (§15.4.5).</summary>
    private void NotModified(IHeaderDictionary headers)
    {
        var etag = headers.ETag.ToString();
        foreach (var held in clientEncodedTags)
        {
            if (EncodedEntityTags.StripCoding(held, out _) == etag)
            {
                headers.ETag = held;
                VaryField.AddAcceptEncoding(headers);
                return;
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
