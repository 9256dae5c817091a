using System.Buffers.Binary;
using Gatehouse.Protection.Http2Frames;

namespace Gatehouse.Tests.Protection;

public class Http2FrameScannerTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private static byte[] Frame(byte type, byte flags, int streamId, int length)
    {
        var frame = new byte[9 + length];
        frame[0] = (byte)(length >> 16);
        frame[1] = (byte)(length >> 8);
        frame[2] = (byte)length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        frame.AsSpan(9).Fill(0xFF); // payload bytes that would read as frame headers if they were not skipped
        return frame;
    }

    private static List<Http2FrameHeader> Scan(Http2FrameScanner scanner, byte[] bytes, int chunk)
    {
        var found = new List<Http2FrameHeader>();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            var span = bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at));
            while (!span.IsEmpty)
            {
                var step = scanner.Step(span, out var header);
                Assert.InRange(step, 1, span.Length);
                if (header is { } h)
                {
                    found.Add(h);
                }

                span = span[step..];
            }
        }

        return found;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(24)]
    [InlineData(4096)]
    public void ClientBytes_InChunksOfAnySize_GiveEveryFrameHeaderOnce_PayloadsAndPrefaceSkipped(int chunk)
    {
        byte[] bytes = [.. Preface, .. Frame(4, 0, 0, 12), .. Frame(1, 5, 1, 300), .. Frame(0, 1, 1, 70_000), .. Frame(3, 0, 1, 4), .. Frame(6, 0, 0, 8)];
        var scanner = new Http2FrameScanner(clientDirection: true);

        var frames = Scan(scanner, bytes, chunk);

        Assert.Equal(
            [new(4, 0, 0, 12), new(1, 5, 1, 300), new(0, 1, 1, 70_000), new(3, 0, 1, 4), new(6, 0, 0, 8)],
            frames);
        Assert.True(scanner.AtFrameBoundary);
    }

    [Fact]
    public void ServerBytes_HaveNoPreface_AndTheReservedBitOfTheStreamIdIsIgnored()
    {
        var frame = Frame(7, 0, 0, 8);
        frame[5] = 0x80; // R bit set (RFC 9113 §4.1: ignored on receipt)
        var scanner = new Http2FrameScanner(clientDirection: false);

        var frames = Scan(scanner, frame, 3);

        Assert.Equal([new Http2FrameHeader(7, 0, 0, 8)], frames);
    }

    [Fact]
    public void PayloadOffset_CountsTheCurrentPayload()
    {
        var scanner = new Http2FrameScanner(clientDirection: false);
        var bytes = Frame(7, 0, 0, 8);

        scanner.Step(bytes, out var header);
        Assert.Equal(7, header!.Value.Type);
        Assert.True(scanner.InPayload);
        Assert.Equal(0, scanner.PayloadOffset);
        Assert.Equal(5, scanner.Step(bytes.AsSpan(9, 5), out _));
        Assert.Equal(5, scanner.PayloadOffset);
        Assert.False(scanner.AtFrameBoundary);
        scanner.Step(bytes.AsSpan(14), out _);
        Assert.True(scanner.AtFrameBoundary);
    }
}

public class Http2FrameBudgetTests
{
    private const long Second = 1000;
    private static readonly Http2FrameLimits Limits = new(MaxControlFrames: 10, ControlFramesPerSecond: 5, MaxResets: 4);

    private static Http2FrameBudget Budget(Http2FrameLimits? limits = null) => new(limits ?? Limits, 0, Second);

    private static Http2FrameHeader Frame(byte type, byte flags = 0, int streamId = 0, int length = 8) => new(type, flags, streamId, length);

    [Theory]
    [InlineData(Http2FrameHeader.Settings, 0)]
    [InlineData(Http2FrameHeader.Settings, Http2FrameHeader.EndStreamOrAck)]
    [InlineData(Http2FrameHeader.Ping, 0)]
    [InlineData(Http2FrameHeader.Priority, 0)]
    [InlineData(Http2FrameHeader.GoAway, 0)]
    [InlineData(0x0a, 0)]
    [InlineData(0x10, 0)]
    public void ControlFrames_SpendTheBudget_AtTheFrameAfterTheLast(byte type, byte flags)
    {
        var budget = Budget();

        for (var i = 0; i < 10; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(type, flags), 0));
        }

        Assert.False(budget.OnClientFrame(Frame(type, flags), 0));
        Assert.Equal(Http2FrameBudget.Name(type), budget.SpentOn);
        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.Headers, 5, 1, 20), 0));
    }

    [Fact]
    public void EmptyFrames_AreControlFrames_ButNotTheOnesThatEndSomething()
    {
        var budget = Budget(new(MaxControlFrames: 3, ControlFramesPerSecond: 0, MaxResets: 4));

        for (var i = 0; i < 100; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Data, Http2FrameHeader.EndStreamOrAck, 1, 0), 0));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Data, 0, 1, 100), 0));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Continuation, Http2FrameHeader.EndHeaders, 1, 0), 0));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Headers, 5, 1, 30), 0));
        }

        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Data, 0, 1, 0), 0));
        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Continuation, 0, 1, 0), 0));
        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Headers, 0, 3, 0), 0));
        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.Data, 0, 1, 0), 0));
        Assert.Equal("DATA", budget.SpentOn);
    }

    [Fact]
    public void ControlFrames_RefillWithTime_UpToTheBurst()
    {
        var budget = Budget();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), 0));
        }

        // 1 s at 5 per second: five more, not six.
        for (var i = 0; i < 5; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), Second));
        }

        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), Second));
    }

    [Fact]
    public void ControlFrames_AnIdleHourRefillsOnlyTheBurst()
    {
        var budget = Budget();
        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), 0));

        var later = 3600 * Second;
        for (var i = 0; i < 10; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), later));
        }

        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), later));
    }

    [Fact]
    public void WindowUpdates_AreFreeUpToTwoPerDataFrameSent_ThenControlFrames()
    {
        var budget = Budget(new(MaxControlFrames: 2, ControlFramesPerSecond: 0, MaxResets: 4));
        for (var i = 0; i < 50; i++)
        {
            budget.OnServerFrame(Frame(Http2FrameHeader.Data, 0, 1, 16384));
        }

        for (var i = 0; i < 100; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.WindowUpdate, 0, i % 2, 4), 0));
        }

        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.WindowUpdate, 0, 0, 4), 0));
        Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.WindowUpdate, 0, 0, 4), 0));
        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.WindowUpdate, 0, 0, 4), 0));
        Assert.Equal("WINDOW_UPDATE", budget.SpentOn);
    }

    [Fact]
    public void Resets_SpendTheirOwnBudget_AndDoNotRefillWithTime()
    {
        var budget = Budget();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, (2 * i) + 1, 4), 0));
        }

        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, 9, 4), 3600 * Second));
        Assert.Equal("RST_STREAM", budget.SpentOn);
    }

    [Fact]
    public void Resets_AreEarnedBackByStreamsTheServerCompletes_UpToTheBurst()
    {
        var budget = Budget();
        var stream = 1;
        // A client that cancels one stream in three for a long time is never cut.
        for (var round = 0; round < 1000; round++)
        {
            budget.OnServerFrame(Frame(Http2FrameHeader.Headers, Http2FrameHeader.EndHeaders | Http2FrameHeader.EndStreamOrAck, stream += 2, 10));
            budget.OnServerFrame(Frame(Http2FrameHeader.Data, Http2FrameHeader.EndStreamOrAck, stream += 2, 10));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, stream += 2, 4), 0));
        }

        // Completions earned while none were spent count up to the burst only.
        for (var i = 0; i < 100; i++)
        {
            budget.OnServerFrame(Frame(Http2FrameHeader.Data, Http2FrameHeader.EndStreamOrAck, stream += 2, 10));
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, stream += 2, 4), 0));
        }

        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, stream + 2, 4), 0));
    }

    [Fact]
    public void ServerFramesWithoutEndStream_EarnNoResets()
    {
        var budget = Budget();
        for (var i = 0; i < 100; i++)
        {
            budget.OnServerFrame(Frame(Http2FrameHeader.Headers, Http2FrameHeader.EndHeaders, 1, 10));
            budget.OnServerFrame(Frame(Http2FrameHeader.RstStream, 0, 1, 4));
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, 1, 4), 0));
        }

        Assert.False(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, 3, 4), 0));
    }

    [Fact]
    public void ZeroTurnsABudgetOff()
    {
        var budget = Budget(new(MaxControlFrames: 0, ControlFramesPerSecond: 0, MaxResets: 0));

        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.Ping), 0));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.RstStream, 0, 1, 4), 0));
            Assert.True(budget.OnClientFrame(Frame(Http2FrameHeader.WindowUpdate, 0, 0, 4), 0));
        }

        Assert.Null(budget.SpentOn);
        Assert.False(new Http2FrameLimits(0, 100, 0).Enabled);
    }
}

public class Http2ConnectionGuardTests
{
    private static readonly Http2FrameLimits Limits = new(1000, 100, 200);

    private static (Http2ConnectionGuard Guard, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time) Guard()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        return (new Http2ConnectionGuard(new Http2FrameBudget(Limits, time.GetTimestamp(), time.TimestampFrequency), time), time);
    }

    [Fact]
    public async Task AGuardThatCaughtUp_AnswersAtOnce()
    {
        var (guard, _) = Guard();
        guard.Delivered();
        guard.CaughtUp();

        var answer = guard.RefusesAsync(1, CancellationToken.None);

        Assert.True(answer.IsCompletedSuccessfully);
        Assert.False(await answer);
    }

    [Fact]
    public async Task AResetInTheNextRead_IsSeenBeforeTheAnswer()
    {
        var (guard, _) = Guard();
        guard.Delivered(); // the read holding stream 3's HEADERS

        var answer = guard.RefusesAsync(3, CancellationToken.None);
        Assert.False(answer.IsCompleted);
        guard.RecordReset(3);
        guard.Delivered();

        Assert.True(await answer);
    }

    [Fact]
    public async Task NothingMoreReceived_TheAnswerIsNo()
    {
        var (guard, _) = Guard();
        guard.Delivered();

        var answer = guard.RefusesAsync(3, CancellationToken.None);
        Assert.False(answer.IsCompleted);
        guard.CaughtUp();

        Assert.False(await answer);
    }

    [Fact]
    public async Task InputThatNeverPauses_TwoMoreReadsSuffice()
    {
        var (guard, _) = Guard();
        guard.Delivered();

        var answer = guard.RefusesAsync(3, CancellationToken.None);
        guard.Delivered();
        Assert.False(answer.IsCompleted);
        guard.Delivered();

        Assert.False(await answer);
    }

    [Fact]
    public async Task AStalledInput_IsWaitedForAtMostTheLimit()
    {
        var (guard, time) = Guard();
        guard.Delivered();

        var answer = guard.RefusesAsync(3, CancellationToken.None).AsTask();
        time.Advance(Http2ConnectionGuard.CatchUpLimit - TimeSpan.FromMilliseconds(1));
        Assert.False(answer.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await answer.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ACutConnection_RefusesEveryStream()
    {
        var (guard, _) = Guard();
        guard.Delivered();
        var waiting = guard.RefusesAsync(5, CancellationToken.None);

        guard.Stop();

        Assert.True(await waiting);
        Assert.True(await guard.RefusesAsync(7, CancellationToken.None));
    }

    [Fact]
    public void RecentResets_AreKept_TheOldestForgottenPastTheRing()
    {
        var (guard, _) = Guard();
        for (var stream = 1; stream <= 2 * 300; stream += 2)
        {
            guard.RecordReset(stream);
        }

        Assert.True(guard.WasReset(599));
        Assert.True(guard.WasReset(89)); // the 45th of 300: 256 are kept
        Assert.False(guard.WasReset(87));
        Assert.False(guard.WasReset(2));
        Assert.False(guard.WasReset(0));
    }
}
