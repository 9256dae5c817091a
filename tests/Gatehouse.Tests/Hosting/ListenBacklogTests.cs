using Gatehouse.Hosting;

namespace Gatehouse.Tests.Hosting;

public class ListenBacklogTests
{
    [Theory]
    [InlineData("4096\n", 4096)]
    [InlineData("65535", 65535)]
    [InlineData(" 8192 \n", 8192)]
    [InlineData("128\n", ListenBacklog.KestrelDefault)] // a lower kernel value caps it anyway; never below Kestrel's own
    [InlineData("", ListenBacklog.Fallback)]
    [InlineData("-1", ListenBacklog.Fallback)]
    [InlineData("0", ListenBacklog.Fallback)]
    [InlineData("lots", ListenBacklog.Fallback)]
    [InlineData(null, ListenBacklog.Fallback)]
    public void FromSomaxconn_TakesTheKernelsMaximum_OrAFallback(string? text, int expected) =>
        Assert.Equal(expected, ListenBacklog.FromSomaxconn(text));
}
