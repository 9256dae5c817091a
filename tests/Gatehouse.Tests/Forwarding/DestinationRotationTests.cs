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

    [Fact]
    public void DestinationsResolvedByDns_FollowTheConfiguredIdTheyCameFrom()
    {
        IReadOnlyList<DestinationState> resolved =
        [
            Resolved("pool[10.0.0.1]", "pool"), Resolved("pool[10.0.0.2]", "pool"), Resolved("other[10.0.0.3]", "other"),
        ];

        Assert.Equal(["other[10.0.0.3]"], DestinationRotation.InRotation(resolved, Out(("POOL", DestinationMode.Draining))).Select(d => d.DestinationId));
        Assert.Equal(["pool[10.0.0.2]", "other[10.0.0.3]"], DestinationRotation.InRotation(resolved, Out(("pool[10.0.0.1]", DestinationMode.Disabled))).Select(d => d.DestinationId));
    }

    private static DestinationState Resolved(string id, string configuredId) =>
        new(id, new DestinationModel(new Yarp.ReverseProxy.Configuration.DestinationConfig
        {
            Address = "http://10.0.0.1/",
            Metadata = new Dictionary<string, string> { [DestinationMetadata.ConfiguredId] = configuredId },
        }));

    private static FrozenDictionary<string, DestinationMode> Out(params (string Id, DestinationMode Mode)[] entries) =>
        entries.ToFrozenDictionary(e => e.Id, e => e.Mode, StringComparer.OrdinalIgnoreCase);
}
