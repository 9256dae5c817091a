using System.Diagnostics.Metrics;

namespace Gatehouse.Compression;

/// <summary>
/// How many responses Gatehouse compressed, by where the identity body came from: the backend as it streamed, or a
/// variant the cache had stored. Also published as the <c>gatehouse.compression.responses</c> counter of the
/// <c>Gatehouse.Compression</c> meter (tags <c>encoding</c> and <c>source</c>).
/// </summary>
public sealed class CompressionStats : IDisposable
{
    public const string MeterName = "Gatehouse.Compression";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _responses;
    private long _fromBackend;
    private long _fromStored;

    public CompressionStats()
    {
        _responses = _meter.CreateCounter<long>("gatehouse.compression.responses", "{response}", "Responses Gatehouse compressed");
    }

    public long FromBackend => Interlocked.Read(ref _fromBackend);

    public long FromStored => Interlocked.Read(ref _fromStored);

    public long Total => FromBackend + FromStored;

    internal void Compressed(ContentCoding coding, bool fromStored)
    {
        Interlocked.Increment(ref fromStored ? ref _fromStored : ref _fromBackend);
        _responses.Add(1, new KeyValuePair<string, object?>("encoding", ContentCodings.Name(coding)),
            new KeyValuePair<string, object?>("source", fromStored ? "stored" : "backend"));
    }

    public void Dispose() => _meter.Dispose();
}
