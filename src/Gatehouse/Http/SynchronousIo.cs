namespace Gatehouse.Http;

/// <summary>
/// What Gatehouse's own streams throw from their synchronous methods, as Kestrel's bodies do with
/// <c>AllowSynchronousIO</c> off: no thread ever blocks on a peer (with inline socket completions, a blocked socket
/// thread would stall every connection it serves).
/// </summary>
internal static class SynchronousIo
{
    public static InvalidOperationException NotAllowed() => new("Synchronous I/O is not allowed here; use the asynchronous method.");
}
