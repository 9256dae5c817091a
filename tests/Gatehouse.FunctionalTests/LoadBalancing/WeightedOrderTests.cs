using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.LoadBalancing;

/// <summary>The order docs/load-balancing.md shows for WeightedRoundRobin is the order a real Gatehouse picks in.</summary>
public sealed class WeightedOrderTests
{
    [Theory]
    // Both examples of the doc's WeightedRoundRobin section, destinations listed in this order in the config.
    [InlineData("a:5,b:1,c:1", "a a b a c a a")]
    [InlineData("a:5,b:3,c:2", "a b c a a b a c b a")]
    // Config order, not the ids' alphabetical order, breaks ties.
    [InlineData("c:1,b:1,a:5", "a a c a b a a")]
    public async Task Sequence_IsTheDocumentedOne(string weights, string expected)
    {
        var destinations = weights.Split(',').Select(w => (Id: w.Split(':')[0], Weight: int.Parse(w.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var backends = new List<TestBackend>();
        foreach (var (id, _) in destinations)
        {
            backends.Add(await TestBackend.StartAsync(id));
        }

        try
        {
            await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(
                Configs.Destinations(destinations.Select((d, i) => (d.Id, backends[i], d.Weight)).ToArray()), "\"loadBalancingPolicy\": \"WeightedRoundRobin\""));

            // One request at a time: the sequence is the policy's, not the order in which concurrent answers come back.
            var picks = new List<string>();
            for (var i = 0; i < expected.Split(' ').Length; i++)
            {
                picks.Add(await proxy.Client.GetStringAsync("/"));
            }

            Assert.Equal(expected, string.Join(' ', picks));
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }
}
