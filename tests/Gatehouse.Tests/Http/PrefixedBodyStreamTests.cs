using System.Text;
using Gatehouse.Http;

namespace Gatehouse.Tests.Http;

public sealed class PrefixedBodyStreamTests
{
    [Fact]
    public async Task ReadsThePrefixThenTheRest_AsOneBody()
    {
        var prefix = new byte[16];
        Encoding.ASCII.GetBytes("hello ").CopyTo(prefix, 0);
        using var rest = new MemoryStream(Encoding.ASCII.GetBytes("world"));
        await using var body = new PrefixedBodyStream(prefix.AsMemory(0, 6), rest);

        using var reader = new StreamReader(body);
        Assert.Equal("hello world", await reader.ReadToEndAsync());
    }

    [Fact]
    public void SmallReads_CrossThePrefixBoundary()
    {
        using var rest = new MemoryStream("cd"u8.ToArray());
        using var body = new PrefixedBodyStream("ab"u8.ToArray(), rest);
        var buffer = new byte[1];
        var read = new StringBuilder();
        while (body.Read(buffer) == 1)
        {
            read.Append((char)buffer[0]);
        }

        Assert.Equal("abcd", read.ToString());
    }
}
