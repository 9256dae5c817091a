using System.Globalization;
using Gatehouse.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>YARP's client factory plus the settings YARP's HttpClientConfig lacks (connect timeout, idle pool timeout).</summary>
internal sealed class GatehouseHttpClientFactory : ForwarderHttpClientFactory
{
    public GatehouseHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger)
        : base(logger)
    {
    }

    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && Read(context.OldMetadata, YarpConfigMapper.ConnectTimeoutMetadata) == Read(context.NewMetadata, YarpConfigMapper.ConnectTimeoutMetadata)
        && Read(context.OldMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata) == Read(context.NewMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (Read(context.NewMetadata, YarpConfigMapper.ConnectTimeoutMetadata) is { } connect)
        {
            handler.ConnectTimeout = connect;
        }

        if (Read(context.NewMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata) is { } idle)
        {
            handler.PooledConnectionIdleTimeout = idle;
        }
    }

    private static TimeSpan? Read(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
}
