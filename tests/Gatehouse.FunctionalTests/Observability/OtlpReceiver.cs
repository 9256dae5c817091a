using System.Collections.Concurrent;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Observability;

/// <summary>One span as exported: ids in lowercase hex, its kind (1 internal, 2 server, 3 client) and its attributes.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// An OTLP/HTTP collector on a loopback port: <c>POST /v1/traces</c> with an <c>ExportTraceServiceRequest</c> in protobuf.
/// It reads just the fields the tests look at, straight from the wire format (opentelemetry-proto's field numbers).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async context =>
        {
            Stream body = context.Request.Body;
            if (context.Request.Headers.ContentEncoding == "gzip")
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer);
            foreach (var span in ReadRequest(buffer.ToArray()))
            {
                receiver._spans.Enqueue(span);
            }

            receiver._arrived.Release();
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until the spans received so far satisfy <paramref name="done"/> (each export is an event), at most 30 s.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!done(Spans))
        {
            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"spans received in 30 s: {string.Join("; ", Spans)}");
            }
        }

        return Spans;
    }

    // ExportTraceServiceRequest: 1 resource_spans. ResourceSpans: 2 scope_spans. ScopeSpans: 2 spans.
    private static IEnumerable<ReceivedSpan> ReadRequest(byte[] message) =>
        Fields(message).Where(f => f.Number == 1).SelectMany(resource =>
            Fields(resource.Bytes).Where(f => f.Number == 2).SelectMany(scope =>
                Fields(scope.Bytes).Where(f => f.Number == 2).Select(span => ReadSpan(span.Bytes))));

    // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes (KeyValue: 1 key, 2 AnyValue).
    private static ReceivedSpan ReadSpan(byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes); break;
                case 4: parent = Convert.ToHexStringLower(field.Bytes); break;
                case 5: name = System.Text.Encoding.UTF8.GetString(field.Bytes); break;
                case 6: kind = (int)field.Varint; break;
                case 9:
                    var pair = Fields(field.Bytes).ToList();
                    var key = System.Text.Encoding.UTF8.GetString(pair.First(f => f.Number == 1).Bytes);
                    attributes[key] = pair.FirstOrDefault(f => f.Number == 2) is { Bytes: { } value } ? AnyValue(value) : "";
                    break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parent, name, kind, attributes);
    }

    // AnyValue: 1 string, 2 bool, 3 int64, 4 double.
    private static string AnyValue(byte[] value)
    {
        var field = Fields(value).FirstOrDefault();
        return field.Number switch
        {
            1 => System.Text.Encoding.UTF8.GetString(field.Bytes),
            2 => field.Varint != 0 ? "true" : "false",
            3 => ((long)field.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => BitConverter.Int64BitsToDouble((long)field.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    private readonly record struct Field(int Number, byte[] Bytes, ulong Varint);

    private static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        var input = new CodedInputStream(message);
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint: fields.Add(new(number, [], input.ReadUInt64())); break;
                case WireFormat.WireType.Fixed64: fields.Add(new(number, [], input.ReadFixed64())); break;
                case WireFormat.WireType.Fixed32: fields.Add(new(number, [], input.ReadFixed32())); break;
                case WireFormat.WireType.LengthDelimited: fields.Add(new(number, input.ReadBytes().ToByteArray(), 0)); break;
                default: input.SkipLastField(); break;
            }
        }

        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
