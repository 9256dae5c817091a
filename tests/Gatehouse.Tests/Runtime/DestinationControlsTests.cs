using Gatehouse.Configuration;
using Gatehouse.Runtime;

namespace Gatehouse.Tests.Runtime;

public sealed class DestinationControlsTests
{
    [Fact]
    public void Set_IsCaseInsensitive_AndEnableClears()
    {
        var controls = new DestinationControls(new GenerationHolder());
        Assert.Null(controls.OutOfRotation("api"));

        controls.Set("api", "d1", DestinationMode.Draining);
        controls.Set("API", "d2", DestinationMode.Disabled);

        Assert.Equal(DestinationMode.Draining, controls.ModeOf("Api", "D1"));
        Assert.Equal(DestinationMode.Disabled, controls.ModeOf("api", "d2"));
        Assert.Equal(DestinationMode.Active, controls.ModeOf("api", "d3"));
        Assert.Equal(DestinationMode.Active, controls.ModeOf("other", "d1"));

        controls.Set("api", "D1", DestinationMode.Active);
        controls.Set("api", "d2", DestinationMode.Active);
        Assert.Null(controls.OutOfRotation("api"));
        Assert.Empty(controls.All);
    }

    [Fact]
    public void AppliedGeneration_KeepsTheStateOfConfiguredDestinations_DropsTheRest()
    {
        var generations = new GenerationHolder();
        var controls = new DestinationControls(generations);
        controls.Set("api", "d1", DestinationMode.Draining);
        controls.Set("api", "gone", DestinationMode.Disabled);
        controls.Set("removedCluster", "d1", DestinationMode.Draining);
        var changes = 0;
        controls.Changed += () => changes++;

        generations.AnnounceApplied(new Generation(2, new GatehouseConfig
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["API"] = new() { Destinations = new Dictionary<string, DestinationDefinition> { ["D1"] = new() { Address = "http://127.0.0.1:1" } } },
            },
        }, FeatureSet.Empty, [], []));

        Assert.Equal([("api", "d1", DestinationMode.Draining)], controls.All);
        Assert.Equal(1, changes);
    }

    [Fact]
    public void ReplaceAll_ReadBeforeAnOperatorsChange_ChangesNothing_ReadAfter_Applies()
    {
        var generations = new GenerationHolder();
        generations.Swap(new Generation(1, new GatehouseConfig
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["c"] = new() { Destinations = new Dictionary<string, DestinationDefinition> { ["a"] = new() { Address = "http://127.0.0.1:1" } } },
            },
        }, FeatureSet.Empty, [], []));
        var controls = new DestinationControls(generations);
        controls.Set("c", "a", DestinationMode.Draining);
        var seen = controls.OperatorSets;

        controls.Set("c", "a", DestinationMode.Active); // the operator's change, after the shared state was read
        controls.ReplaceAll([("c", "a", DestinationMode.Draining)], seen);
        Assert.Equal(DestinationMode.Active, controls.ModeOf("c", "a"));

        controls.ReplaceAll([("c", "a", DestinationMode.Disabled)], controls.OperatorSets);
        Assert.Equal(DestinationMode.Disabled, controls.ModeOf("c", "a"));
    }

    [Theory]
    [InlineData(DestinationMode.Active, 3, "active")]
    [InlineData(DestinationMode.Draining, 1, "draining")]
    [InlineData(DestinationMode.Draining, 0, "drained")]
    [InlineData(DestinationMode.Disabled, 2, "disabled")]
    public void Describe_DrainingBecomesDrainedOnceIdle(DestinationMode mode, int inFlight, string expected) =>
        Assert.Equal(expected, DestinationStates.Describe(mode, inFlight));
}
