namespace Gatehouse.Hosting;

/// <summary>
/// Gatehouse runs socket completions on the socket engine's own threads, one per core, as nginx runs everything on its
/// event loops: what follows a backend's or a client's bytes continues on the thread that read them, without a hop
/// through the thread pool's queue (docs/performance.md, "Inline socket completions, the default"). .NET reads the
/// switch once, from the environment, when the first socket operation starts; so it is set first thing in
/// <c>Main</c>. An operator who sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> to anything keeps that value
/// (<c>0</c> turns it off).
/// </summary>
/// <remarks>
/// The price of the switch is that nothing on those threads may block: a synchronous wait for a socket that the same
/// thread serves would stall every connection of that thread. Gatehouse's request path awaits every I/O (Redis, ACME
/// challenges, files from a pool thread, PBKDF2 on the pool), and the test suite runs with the switch on.
/// </remarks>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns the switch on unless the environment already sets it.</summary>
    public static void UseUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
