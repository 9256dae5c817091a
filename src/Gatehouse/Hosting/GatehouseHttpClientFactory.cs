using System.Globalization;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Lifecycle;
using Gatehouse.Routing;
using Gatehouse.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Hosting;

/// <summary>
/// YARP's client factory plus the settings YARP's HttpClientConfig lacks (connect timeout, idle pool timeout) and TLS to
/// the backends (CA bundle, server name, client certificate; see <see cref="UpstreamTls"/>).
/// </summary>
internal sealed class GatehouseHttpClientFactory : ForwarderHttpClientFactory
{
    private readonly string _baseDirectory;
    private readonly Runtime.GenerationHolder? _generations;

    public GatehouseHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, ConfigSource? source = null, Runtime.GenerationHolder? generations = null)
        : base(logger)
    {
        _baseDirectory = TlsPaths.BaseDirectory(source?.Path);
        _generations = generations;
    }

    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && Read(context.OldMetadata, YarpConfigMapper.ConnectTimeoutMetadata) == Read(context.NewMetadata, YarpConfigMapper.ConnectTimeoutMetadata)
        && Read(context.OldMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata) == Read(context.NewMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata)
        && context.OldMetadata?.GetValueOrDefault(ProxyProtocolSending.Metadata) == context.NewMetadata?.GetValueOrDefault(ProxyProtocolSending.Metadata)
        && UpstreamTls.MetadataKeys.All(key => context.OldMetadata?.GetValueOrDefault(key) == context.NewMetadata?.GetValueOrDefault(key));

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        // Trace context goes to the backend from the request's headers, where the attempt's span wrote it
        // (Forwarding/ForwardingTelemetry); the client's propagator would send the id of an activity of its own instead.
        handler.ActivityHeadersPropagator = null;
        if (Read(context.NewMetadata, YarpConfigMapper.ConnectTimeoutMetadata) is { } connect)
        {
            handler.ConnectTimeout = connect;
        }

        if (Read(context.NewMetadata, YarpConfigMapper.PooledConnectionIdleTimeoutMetadata) is { } idle)
        {
            handler.PooledConnectionIdleTimeout = idle;
        }

        // The generation is published before YARP sees its clusters (ConfigReloader.Apply): its files are the ones checked.
        UpstreamTls.Configure(handler, context.NewMetadata, _baseDirectory, context.NewConfig.DangerousAcceptAnyServerCertificate == true,
            _generations?.Current.Cluster<UpstreamTlsFiles>(context.ClusterId));
        ProxyProtocolConnect.Configure(handler, context.NewMetadata);
    }

    // The gRPC health probe's answer is judged on the client (Health/GrpcHealthProbeHandler); other requests pass through.
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new Health.GrpcHealthProbeHandler(UpstreamTls.WithServerName(base.WrapHandler(context, handler), context.NewMetadata));

    private static TimeSpan? Read(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
}
