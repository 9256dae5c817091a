using Gatehouse.Configuration;
using Gatehouse.Http;

namespace Gatehouse.Lifecycle;

/// <summary>
/// Says when Gatehouse starts draining (SIGTERM, Ctrl+C) and when it has stopped, so that an operator watching the log
/// knows a quiet minute is the drain and not a hang. The host's own lifetime lines are filtered out as noise.
/// </summary>
internal sealed class ShutdownLog(IHostApplicationLifetime lifetime, ConfigSource source, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("Gatehouse");
    private readonly List<CancellationTokenRegistration> _registrations = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The host's shutdown timeout, set from the config Gatehouse started with (GatehouseServer).
        var drain = source.Initial.Server.DrainTimeout.Value ?? TimeSpan.FromSeconds(30);
        var seconds = drain.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";
        _registrations.Add(lifetime.ApplicationStopping.Register(() => GatehouseLog.Draining(_logger, seconds)));
        _registrations.Add(lifetime.ApplicationStopped.Register(() => GatehouseLog.Stopped(_logger)));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
