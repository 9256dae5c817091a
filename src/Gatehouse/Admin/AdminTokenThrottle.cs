using System.Net;

namespace Gatehouse.Admin;

/// <summary>
/// Wrong admin tokens, counted per client address (docs/admin.md, "Tokens"): after <see cref="MaxFailures"/> within
/// <see cref="Window"/>, every request from that address that needs the token is answered 429 until the window that
/// began with its first counted failure has passed, the right token included, so guessing costs a minute per five
/// tries. Admin traffic is light: one lock, and the table is bounded.
/// </summary>
public sealed class AdminTokenThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private const int MaxTracked = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, (DateTimeOffset Start, int Failures)> _failures = [];

    /// <summary>How long <paramref name="client"/> must wait before its next try; null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        if (client is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_failures.TryGetValue(client, out var entry))
            {
                return null;
            }

            var ends = entry.Start + Window;
            if (now >= ends)
            {
                _failures.Remove(client);
                return null;
            }

            return entry.Failures >= MaxFailures ? ends - now : null;
        }
    }

    /// <summary>Counts a wrong or missing token from <paramref name="client"/>.</summary>
    public void Failed(IPAddress? client)
    {
        if (client is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_failures.TryGetValue(client, out var entry) && now < entry.Start + Window)
            {
                _failures[client] = (entry.Start, entry.Failures + 1);
                return;
            }

            if (_failures.Count >= MaxTracked)
            {
                foreach (var (address, old) in _failures.ToList())
                {
                    if (now >= old.Start + Window)
                    {
                        _failures.Remove(address);
                    }
                }
            }

            if (_failures.Count < MaxTracked)
            {
                _failures[client] = (now, 1);
            }
        }
    }
}
