using System.Globalization;
using System.Net.Sockets;
using System.Text;

// Loaded by the runtime before Main when DOTNET_STARTUP_HOOKS names this assembly (bench/run.sh does so for every
// .NET contender). With ALLOC_PROBE_SOCKET=PATH set, one dedicated background thread listens on that Unix socket and
// answers each connection with one line, then closes it:
//     <total allocated bytes, precise> <gen0 collections> <gen1 collections> <gen2 collections>
// wrapped in a minimal HTTP/1.0 response so that `curl --unix-socket PATH http://probe/` reads it.
// Between reads the thread sits in accept(): nothing runs in the process being measured, no EventPipe session, no
// thread-pool work, no timer. A read costs one GC.GetTotalAllocatedBytes(precise: true) and one small allocation.
#pragma warning disable CA1050 // The runtime looks the hook up by this exact type name, outside any namespace.
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("ALLOC_PROBE_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(8);
        var thread = new Thread(() => Serve(listener)) { IsBackground = true, Name = "alloc-probe" };
        thread.Start();
    }

    private static void Serve(Socket listener)
    {
        while (true)
        {
            using var connection = listener.Accept();
            connection.ReceiveTimeout = 1000;
            try
            {
                connection.Receive(new byte[1024]); // the request (its content does not matter)
            }
            catch (SocketException)
            {
                // No request within a second: answer anyway.
            }

            var body = string.Create(CultureInfo.InvariantCulture,
                $"{GC.GetTotalAllocatedBytes(precise: true)} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)}\n");
            var response = Encoding.ASCII.GetBytes(
                $"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
            try
            {
                connection.Send(response);
                connection.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The reader went away: nothing to do.
            }
        }
    }
}
