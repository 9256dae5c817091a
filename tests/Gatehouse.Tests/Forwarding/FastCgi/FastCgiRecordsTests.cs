using System.Text;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding.FastCgi;

public sealed class FastCgiRecordsTests
{
    [Fact]
    public void WriteRecord_HeaderThenContentThenPaddingToEightBytes()
    {
        var output = new List<byte>();
        FastCgiRecords.WriteRecord(output, FastCgiRecordType.Stdin, 1, "hello"u8);

        Assert.Equal([1, 5, 0, 1, 0, 5, 3, 0, .. "hello"u8.ToArray(), 0, 0, 0], output);
        Assert.True(FastCgiRecordHeader.TryRead(output.ToArray(), out var header));
        Assert.Equal(new FastCgiRecordHeader(FastCgiRecordType.Stdin, 1, 5, 3), header);
    }

    [Fact]
    public void BeginRequest_ResponderRole_KeepConnectionFlag()
    {
        var output = new List<byte>();
        FastCgiRecords.WriteBeginRequest(output, 1, keepConnection: true);
        Assert.Equal([1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0], output);
    }

    [Fact]
    public void WriteStream_SplitsContentOver65535Bytes()
    {
        var output = new List<byte>();
        FastCgiRecords.WriteStream(output, FastCgiRecordType.Params, 1, new byte[70_000]);

        Assert.True(FastCgiRecordHeader.TryRead(output.ToArray(), out var first));
        Assert.Equal(65_535, first.ContentLength);
        var second = output.Skip(8 + 65_535 + first.PaddingLength).ToArray();
        Assert.True(FastCgiRecordHeader.TryRead(second, out var next));
        Assert.Equal(70_000 - 65_535, next.ContentLength);
    }

    [Fact]
    public void Params_ShortAndLongLengths_RoundTrip()
    {
        var longValue = new string('v', 300);
        var pairs = new[] { KeyValuePair.Create("SCRIPT_NAME", "/index.php"), KeyValuePair.Create(new string('N', 200), longValue), KeyValuePair.Create("EMPTY", "") };
        var bytes = FastCgiRecords.EncodeParams(pairs);

        Assert.Equal(11, bytes[0]);
        Assert.True(FastCgiRecords.TryDecodeParams(bytes, out var decoded));
        Assert.Equal(pairs, decoded);
        // The long name's length is four bytes with the high bit set.
        var second = 2 + 11 + 10;
        Assert.Equal([0x80, 0, 0, 200], bytes[second..(second + 4)]);
    }

    [Fact]
    public void Params_TruncatedInput_IsRefused()
    {
        var bytes = FastCgiRecords.EncodeParams([KeyValuePair.Create("NAME", "value")]);
        Assert.False(FastCgiRecords.TryDecodeParams(bytes.AsSpan(0, bytes.Length - 1), out _));
        Assert.False(FastCgiRecords.TryDecodeParams(new byte[] { 0x80, 0, 0 }, out _));
    }

    [Fact]
    public void Header_NotVersion1_IsRefused() =>
        Assert.False(FastCgiRecordHeader.TryRead(Encoding.ASCII.GetBytes("HTTP/1.1"), out _));

    [Fact]
    public void EndRequest_AppAndProtocolStatus()
    {
        Assert.True(FastCgiRecords.TryReadEndRequest(new byte[] { 0, 0, 1, 0, FastCgiRecords.Overloaded, 0, 0, 0 }, out var app, out var protocol));
        Assert.Equal(256, app);
        Assert.Equal(FastCgiRecords.Overloaded, protocol);
        Assert.False(FastCgiRecords.TryReadEndRequest(new byte[4], out _, out _));
    }
}
