using System.Text;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding.Grpc;

public class Base64RequestBodyTests
{
    /// <summary>Hands out its bytes a few at a time, as a network would.</summary>
    private sealed class TrickleStream(byte[] data, int step) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(step, buffer.Length)], cancellationToken);
    }

    private static async Task<byte[]> DecodeAsync(string text, int step, int bufferSize = 64)
    {
        await using var body = new Base64RequestBody(new TrickleStream(Encoding.ASCII.GetBytes(text), step));
        var output = new MemoryStream();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(1000)]
    public async Task Decodes_ConcatenatedPaddedChunks_HoweverTheyArrive(int step)
    {
        var parts = new[] { "a", "bc", "def", "ghij", new string('k', 200) };
        var text = string.Concat(parts.Select(p => Convert.ToBase64String(Encoding.ASCII.GetBytes(p))));

        Assert.Equal(string.Concat(parts), Encoding.ASCII.GetString(await DecodeAsync(text, step)));
    }

    [Fact]
    public async Task NotBase64_FailsTheRead()
    {
        await Assert.ThrowsAsync<IOException>(() => DecodeAsync("ab!d", 4));
    }

    [Fact]
    public async Task EndingInsideAQuantum_FailsTheRead()
    {
        await Assert.ThrowsAsync<IOException>(() => DecodeAsync("YWJj" + "YW", 4));
    }
}
