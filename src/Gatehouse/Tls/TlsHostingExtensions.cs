using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gatehouse.Tls;

/// <summary>The hooks <see cref="Hosting.GatehouseServer"/> calls: services, each listener, and the request middleware.</summary>
public static class TlsHostingExtensions
{
    /// <summary>Registers the certificate store and its sources (files, internal issuer) for the initial config.</summary>
    public static IServiceCollection AddGatehouseTls(this IServiceCollection services, ConfigSource source)
    {
        var config = source.Initial;
        var baseDirectory = TlsPaths.BaseDirectory(source.Path);
        services.AddSingleton<CertificateStore>();
        services.AddSingleton(new HttpsListeners(config));
        // Files first: a file certificate wins over an internal one naming the same host.
        services.AddSingleton(sp => new FileCertificateSource(
            sp.GetRequiredService<CertificateStore>(), baseDirectory, config.Tls.Certificates, sp.GetRequiredService<ILogger<FileCertificateSource>>()));
        services.AddSingleton(sp => new InternalCertificateSource(
            sp.GetRequiredService<CertificateStore>(), TlsPaths.Storage(config.Tls, source.Path), config.Tls.Internal.Hosts,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<InternalCertificateSource>>()));
        services.AddHostedService<TlsReloadService>();
        services.AddSingleton<TlsTelemetry>();
        services.AddGatehouseAcme(source);
        return services;
    }

    /// <summary>Tags the listener's connections and, when it has a <c>tls</c> section, makes it HTTPS.</summary>
    public static void UseGatehouseListener(this ListenOptions listen, ListenerDefinition listener, GatehouseConfig config, string? configPath)
    {
        listen.Use(next => connection =>
        {
            ListenerConnection.Mark(connection, listener);
            return next(connection);
        });
        if (listener.Tls is not { } tls)
        {
            return;
        }

        var services = listen.ApplicationServices;
        X509Certificate2Collection? clientCas = null;
        if (tls.ClientCertificate.CaBundle is { } bundle)
        {
            clientCas = PemFiles.LoadCertificates(TlsPaths.Resolve(TlsPaths.BaseDirectory(configPath), bundle), out var error)
                ?? throw new InvalidOperationException($"client certificate CA bundle {bundle}: {error}");
        }

        var options = new HttpsListenerOptions(tls, config.Tls.MinProtocol, services.GetRequiredService<CertificateStore>(), clientCas,
            services.GetService<TlsAlpnChallengeCertificates>());
        services.GetRequiredService<HttpsListeners>().Add(listen);
        listen.Protocols = tls.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
        var handshakeTimeout = config.Tls.HandshakeTimeout.Value ?? TimeSpan.FromSeconds(10);
        if (options.PeeksClientHello)
        {
            var readAlpn = options.WatchesAlpn;
            var time = services.GetRequiredService<TimeProvider>();
            listen.Use(next => async connection =>
            {
                if (await ClientHelloPeek.PeekAsync(connection, readAlpn, handshakeTimeout, time))
                {
                    await next(connection);
                }
                else
                {
                    connection.Abort(new ConnectionAbortedException("no ClientHello within the TLS handshake timeout"));
                }
            });
        }

        // The peek's wait counts against the same budget only loosely (each has the whole timeout): a client slow to send
        // its ClientHello and then slow to finish could take up to twice it, still bounded.
        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = options.OnConnection, HandshakeTimeout = handshakeTimeout });
        listen.Use(next => connection =>
        {
            if (connection.Features.Get<ISslStreamFeature>()?.SslStream is { } tlsStream)
            {
                OpenSslIdleBuffers.TryRelease(tlsStream);
            }

            return next(connection);
        });
    }

    /// <summary>The request middleware (redirect, HTTP-01, HSTS, client-certificate headers), when any listener is HTTPS.</summary>
    public static IApplicationBuilder UseGatehouseTls(this IApplicationBuilder app, GatehouseConfig config)
    {
        // Load the certificates now: before the first handshake, and so a bad file is reported at start-up.
        _ = app.ApplicationServices.GetRequiredService<FileCertificateSource>();
        _ = app.ApplicationServices.GetRequiredService<InternalCertificateSource>();
        return config.Listeners.Any(l => l.Tls is not null) || config.Tls.Acme.Enabled ? app.UseMiddleware<TlsMiddleware>() : app;
    }
}
