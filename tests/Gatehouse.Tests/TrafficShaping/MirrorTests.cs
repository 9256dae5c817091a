using Gatehouse.Configuration;
using Gatehouse.TrafficShaping;

namespace Gatehouse.Tests.TrafficShaping;

public sealed class MirrorTests
{
    [Fact]
    public void Slots_TakeUpToTheBound_ThenRefuse_AndReturnFreesOne()
    {
        var slots = new MirrorSlots();
        Assert.True(slots.TryTake(2));
        Assert.True(slots.TryTake(2));
        Assert.False(slots.TryTake(2));
        Assert.Equal(2, slots.InFlight);
        slots.Return();
        Assert.True(slots.TryTake(2));
        Assert.False(slots.TryTake(2));
    }

    [Fact]
    public void Slots_UnderContention_NeverExceedTheBound()
    {
        var slots = new MirrorSlots();
        var taken = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (slots.TryTake(8))
            {
                Interlocked.Increment(ref taken);
            }
        });
        Assert.Equal(8, taken);
        Assert.Equal(8, slots.InFlight);
    }

    [Theory]
    [InlineData(100, 0.999, true)]
    [InlineData(0, 0.0, false)]
    [InlineData(25, 0.2499, true)]
    [InlineData(25, 0.25, false)]
    public void Samples_TheConfiguredShare(double percent, double draw, bool expected) =>
        Assert.Equal(expected, new RouteMirror("shadow", percent, 1024, 1, TimeSpan.FromSeconds(1)).Samples(draw));

    [Fact]
    public void RouteShaping_NoneForARouteWithoutSplitOrMirror()
    {
        Assert.Null(RouteShaping.From(new RouteDefinition { ClusterId = "a" }));
        var shaping = RouteShaping.From(new RouteDefinition { ClusterId = "a", Mirror = new MirrorDefinition { Cluster = "shadow" } })!;
        Assert.Null(shaping.Split);
        Assert.Equal(new RouteMirror("shadow", 100, 64 * 1024, 16, TimeSpan.FromSeconds(5)), shaping.Mirror);
    }
}
