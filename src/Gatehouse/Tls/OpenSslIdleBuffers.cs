using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Gatehouse.Tls;

/// <summary>
/// Sets OpenSSL's <c>SSL_MODE_RELEASE_BUFFERS</c> on a server TLS connection, as nginx does: OpenSSL then frees its
/// record read buffer and write buffer (about 17 KB each) whenever they are empty, and allocates them again for the
/// next record, so an idle connection no longer holds 34 KB of native memory (docs/reliability.md, "Memory per idle
/// connection"). .NET does not set the mode and has no option for it; the <c>SSL*</c> is the private security context
/// of <see cref="SslStream"/>, so this reads that field and calls <c>SSL_ctrl</c> in the very libssl the runtime
/// loaded. Anything unexpected (another platform, a runtime whose field is named differently, no libssl or two of
/// them mapped) leaves the connection as it was: the saving is lost, nothing else.
/// </summary>
internal static unsafe class OpenSslIdleBuffers
{
    private const int SslCtrlMode = 33; // SSL_CTRL_MODE, the same in OpenSSL 1.1 and 3
    private const nint SslModeReleaseBuffers = 0x10;

    private static readonly FieldInfo? SecurityContext =
        typeof(SslStream).GetField("_securityContext", BindingFlags.Instance | BindingFlags.NonPublic);

    private static readonly Lazy<nint> SslCtrl = new(FindSslCtrl);

    /// <summary>Sets the mode once the handshake is done (no read or write is in flight then); false when it could not.</summary>
    public static bool TryRelease(SslStream stream) => TryControl(stream, SslModeReleaseBuffers, out var mode) && (mode & SslModeReleaseBuffers) != 0;

    /// <summary>The connection's OpenSSL mode bits (for tests), or null when they cannot be read.</summary>
    public static long? Mode(SslStream stream) => TryControl(stream, 0, out var mode) ? mode : null;

    private static bool TryControl(SslStream stream, nint setBits, out nint mode)
    {
        mode = 0;
        // The context first: an OpenSSL one means the runtime has loaded its libssl, so the look-up below finds it.
        if (SecurityContext?.GetValue(stream) is not SafeHandle { IsInvalid: false, IsClosed: false } context
            || context.GetType().Name != "SafeSslHandle" || SslCtrl.Value is not (not 0 and var ctrl))
        {
            return false;
        }

        var added = false;
        try
        {
            context.DangerousAddRef(ref added);
            // SSL_CTRL_MODE ORs larg into the mode and returns the new mode; larg 0 only reads it.
            mode = ((delegate* unmanaged<nint, int, nint, nint, nint>)ctrl)(context.DangerousGetHandle(), SslCtrlMode, setBits, 0);
            return true;
        }
        finally
        {
            if (added)
            {
                context.DangerousRelease();
            }
        }
    }

    /// <summary><c>SSL_ctrl</c> in the one libssl mapped into this process (the runtime's), or 0.</summary>
    private static nint FindSslCtrl()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            var mapped = File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
                .Where(path => Path.GetFileName(path).StartsWith("libssl.so", StringComparison.Ordinal))
                .Distinct()
                .ToList();
            return mapped.Count == 1 && NativeLibrary.TryLoad(mapped[0], out var library)
                && NativeLibrary.TryGetExport(library, "SSL_ctrl", out var export) ? export : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
