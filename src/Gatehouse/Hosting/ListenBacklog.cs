using System.Globalization;

namespace Gatehouse.Hosting;

/// <summary>
/// The listen backlog of Gatehouse's listeners: the kernel's own maximum (<c>net.core.somaxconn</c>, 4096 on Debian 12), as
/// Caddy (Go) and HAProxy (its maxconn) do, instead of Kestrel's 512. A burst of new connections larger than the backlog
/// overflows the accept queue, and the kernel drops those handshakes: their clients wait a SYN retransmission (1 s, then
/// 3 s, 7 s…) before they are even queued (docs/reliability.md, "Exhaustion").
/// </summary>
internal static class ListenBacklog
{
    /// <summary>When the kernel's value cannot be read (not Linux, or /proc hidden): Linux's default since 5.4.</summary>
    public const int Fallback = 4096;

    /// <summary>Kestrel's own default, kept as the floor: a kernel set lower than it caps the value anyway.</summary>
    public const int KestrelDefault = 512;

    /// <summary>The backlog for a <c>somaxconn</c> file's content (null when it could not be read).</summary>
    public static int FromSomaxconn(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? Math.Max(value, KestrelDefault)
            : Fallback;

    public static int Kernel()
    {
        try
        {
            return FromSomaxconn(File.ReadAllText("/proc/sys/net/core/somaxconn"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fallback;
        }
    }
}
