using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gatehouse.Http;

/// <summary>What a connection knows of its HTTP/2 streams before Kestrel does (the frame guard in Protection).</summary>
public interface IHttp2StreamWatch
{
    /// <summary>
    /// Whether the stream must not be forwarded: the client reset it, or the connection is being cut. May wait, briefly
    /// and boundedly, for what the client sent just before to be read.
    /// </summary>
    ValueTask<bool> RefusesAsync(int streamId, CancellationToken cancellationToken);
}

/// <summary>
/// The contract between the HTTP/2 frame guard, which reads the client's frames before Kestrel acts on them, and
/// forwarding, which asks before each attempt whether the request's stream was already reset (docs/protection.md).
/// </summary>
public static class ClientResets
{
    private static readonly object Key = new();

    /// <summary>Registers a connection's watch in its items (the connection middleware does, once per connection).</summary>
    public static void Watch(IDictionary<object, object?> connectionItems, IHttp2StreamWatch watch) => connectionItems[Key] = watch;

    /// <summary>Whether this HTTP/2 request's stream was reset by the client, or its connection cut, before Kestrel said so.</summary>
    public static ValueTask<bool> RefusesForwardingAsync(HttpContext context) =>
        HttpProtocol.IsHttp2(context.Request.Protocol)
        && context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(Key, out var value) == true
        && value is IHttp2StreamWatch watch
        && context.Features.Get<IHttp2StreamIdFeature>() is { } stream
            ? watch.RefusesAsync(stream.StreamId, context.RequestAborted)
            : ValueTask.FromResult(false);
}
