using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.Forwarding;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.FastCgi;

/// <summary>
/// A FastCGI server on loopback that reads each request whole and answers with the bytes a scenario gives (malformed
/// ones included): Gatehouse answers 502 (503 when the server says it is overloaded), never crashes, and goes on serving.
/// </summary>
public sealed class MalformedFastCgiTests
{
    private static byte[] Records(params (FastCgiRecordType Type, byte[] Content)[] records)
    {
        var output = new List<byte>();
        foreach (var (type, content) in records)
        {
            FastCgiRecords.WriteStream(output, type, 1, content);
        }

        return [.. output];
    }

    private static byte[] End(byte protocolStatus) => [0, 0, 0, 0, protocolStatus, 0, 0, 0];

    private static readonly byte[] Good = Records((FastCgiRecordType.Stdout, "Content-Type: text/plain\r\n\r\nfine"u8.ToArray()),
        (FastCgiRecordType.Stdout, []), (FastCgiRecordType.EndRequest, End(FastCgiRecords.RequestComplete)));

    public static TheoryData<string, int> Scenarios => new()
    {
        { "no colon", 502 },
        { "not fastcgi", 502 },
        { "closes", 502 },
        { "overloaded", 503 },
        { "endless head", 502 },
        { "ends inside head", 502 },
        { "status 1xx", 502 },
    };

    private static byte[] Reply(string scenario) => scenario switch
    {
        "no colon" => Records((FastCgiRecordType.Stdout, "this is not a header\r\n\r\nbody"u8.ToArray()), (FastCgiRecordType.EndRequest, End(0))),
        "not fastcgi" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"u8.ToArray(),
        "closes" => [],
        "overloaded" => Records((FastCgiRecordType.EndRequest, End(FastCgiRecords.Overloaded))),
        "endless head" => Records((FastCgiRecordType.Stdout, Encoding.ASCII.GetBytes("X-Long: " + new string('a', 100_000))), (FastCgiRecordType.EndRequest, End(0))),
        "ends inside head" => Records((FastCgiRecordType.Stdout, "Content-Type: text/pl"u8.ToArray()), (FastCgiRecordType.EndRequest, End(0))),
        "status 1xx" => Records((FastCgiRecordType.Stdout, "Status: 103 Early Hints\r\n\r\n"u8.ToArray()), (FastCgiRecordType.EndRequest, End(0))),
        _ => Good,
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task BadServerOutput_IsAGatewayError_AndGatehouseGoesOn(string scenario, int expected)
    {
        var reply = Reply(scenario);
        await using var server = FakeFastCgiServer.Start(() => reply);
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": { "php": { "clusterId": "php", "match": { "pathPrefix": "/" } } },
              "clusters": {
                "php": {
                  "fastCgi": { "root": "/srv/app", "tryFiles": false },
                  "retry": { "enabled": false },
                  "destinations": { "fpm": { "address": "fastcgi://127.0.0.1:{{server.Port}}" } }
                }
              }
            }
            """);

        using var bad = await proxy.Client.PostAsync("/index.php", new StringContent("payload"));
        Assert.Equal(expected, (int)bad.StatusCode);

        reply = Good;
        Assert.Equal("fine", await proxy.Client.GetStringAsync("/index.php"));
    }

    /// <summary>Accepts connections, reads one request's records up to the empty STDIN, writes the reply, and closes.</summary>
    private sealed class FakeFastCgiServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _accepting;

        private FakeFastCgiServer(TcpListener listener, Func<byte[]> reply)
        {
            _listener = listener;
            _accepting = AcceptAsync(reply);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static FakeFastCgiServer Start(Func<byte[]> reply)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new FakeFastCgiServer(listener, reply);
        }

        private async Task AcceptAsync(Func<byte[]> reply)
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = ServeAsync(client, reply());
            }
        }

        private static async Task ServeAsync(TcpClient client, byte[] reply)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var header = new byte[8];
                    while (true)
                    {
                        await stream.ReadExactlyAsync(header);
                        var length = (header[4] << 8) | header[5];
                        await stream.ReadExactlyAsync(new byte[length + header[6]]);
                        if (header[1] == (byte)FastCgiRecordType.Stdin && length == 0)
                        {
                            break;
                        }
                    }

                    await stream.WriteAsync(reply);
                }
                catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
                {
                    // Gatehouse went away first: nothing to answer.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }
    }
}
