using System.Collections.Frozen;
using Gatehouse.Forwarding;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Tests.Forwarding;

public sealed class DestinationRotationTests
{
    private static readonly IReadOnlyList<DestinationState> Candidates = [new("d1"), new("d2"), new("d3")];

    [Fact]
    public void NoneOut_GivesTheSameList() =>
        Assert.Same(Candidates, DestinationRotation.InRotation(Candidates, null));

    [Fact]
    public void OutOfRotationElsewhereOnly_GivesTheSameList() =>
        Assert.Same(Candidates, DestinationRotation.InRotation(Candidates, Out(("d9", DestinationMode.Draining))));

    [Fact]
    public void DrainedAndDisabled_AreRemoved_CaseInsensitively() =>
        Assert.Equal(["d2"], DestinationRotation.InRotation(Candidates, Out(("D1", DestinationMode.Draining), ("d3", DestinationMode.Disabled))).Select(d => d.DestinationId));

    private static FrozenDictionary<string, DestinationMode> Out(params (string Id, DestinationMode Mode)[] entries) =>
        entries.ToFrozenDictionary(e => e.Id, e => e.Mode, StringComparer.OrdinalIgnoreCase);
}
