using System.Net.WebSockets;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Forwarding;

/// <summary>A WebSocket client that goes away without a close frame is routine (a closed tab, a lost network), not a warning.</summary>
public sealed class WebSocketLoggingTests
{
    [Fact]
    public async Task ClientGoneWithoutACloseFrame_LogsNoWarning()
    {
        var backendSawTheEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var echo = await TestBackend.StartAsync("echo", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
            }

            backendSawTheEnd.TrySetResult();
        });
        var logs = new CapturedLogs();
        var proxied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(echo)), builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.AddSingleton<IStartupFilter>(new AfterEachRequest(proxied));
        });

        using (var client = new ClientWebSocket())
        {
            await client.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Address.Port}/ws"), CancellationToken.None);
            await client.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[16];
            await client.ReceiveAsync(buffer, CancellationToken.None);

            // Abort: the TCP connection closes with no WebSocket close frame.
            client.Abort();
        }

        // The whole request, forwarding included, has returned: anything it had to log is logged.
        await proxied.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await backendSawTheEnd.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Empty(logs.AtLeast(LogLevel.Warning));
    }

    /// <summary>Completes the source when a request has gone through the whole pipeline.</summary>
    private sealed class AfterEachRequest(TaskCompletionSource done) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                done.TrySetResult();
            });
            next(app);
        };
    }
}
