using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public sealed class DescriptorBudgetTests
{
    [Fact]
    public void ConfiguredLimit_WithRoomToSpare_IsKept() =>
        Assert.Equal(10_000, DescriptorBudget.MaxConnections(10_000, 65_536, 230));

    [Fact]
    public void ConfiguredLimit_AboveTheDescriptorsLeft_IsLoweredToThem() =>
        Assert.Equal(1024 - 230 - DescriptorBudget.Reserve, DescriptorBudget.MaxConnections(10_000, 1024, 230));

    [Fact]
    public void NoConfiguredLimit_GetsTheDescriptorsLeft() =>
        Assert.Equal(4096 - 200 - DescriptorBudget.Reserve, DescriptorBudget.MaxConnections(null, 4096, 200));

    [Fact]
    public void UnknownDescriptorLimit_KeepsTheConfiguredOne()
    {
        Assert.Equal(10_000, DescriptorBudget.MaxConnections(10_000, null, 230));
        Assert.Null(DescriptorBudget.MaxConnections(null, null, 230));
    }

    [Fact]
    public void NoRoomAtAll_StillAllowsOneConnection() =>
        Assert.Equal(1, DescriptorBudget.MaxConnections(10_000, 256, 230));
}
