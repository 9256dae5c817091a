using Gatehouse.LoadBalancing;

namespace Gatehouse.Tests.LoadBalancing;

public class SmoothWeightedRoundRobinTests
{
    private static int[] Picks(int[] weights, int count)
    {
        var scores = new long[weights.Length];
        return Enumerable.Range(0, count).Select(_ => SmoothWeightedRoundRobin.Pick(weights, scores)).ToArray();
    }

    private static int LongestRun(int[] picks, int member)
    {
        int longest = 0, run = 0;
        foreach (var pick in picks)
        {
            run = pick == member ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    [Fact]
    public void Pick_Weights511_InterleavesLikeNginx()
    {
        int[] weights = [5, 1, 1];
        var scores = new long[3];
        var picks = string.Concat(Enumerable.Range(0, 7).Select(_ => "abc"[SmoothWeightedRoundRobin.Pick(weights, scores)]));
        Assert.Equal("aabacaa", picks);
    }

    [Fact]
    public void Pick_Weights532_SequenceLikeNginx()
    {
        Assert.Equal("abcaabacba", string.Concat(Picks([5, 3, 2], 10).Select(i => "abc"[i])));
    }

    [Theory]
    [InlineData(new[] { 5, 3, 2 })]
    [InlineData(new[] { 5, 1, 1 })]
    [InlineData(new[] { 1, 1, 1, 1 })]
    [InlineData(new[] { 100, 1 })]
    [InlineData(new[] { 7, 11, 13 })]
    public void Pick_EveryCycle_GivesExactShares(int[] weights)
    {
        var total = weights.Sum();

        var picks = Picks(weights, total * 3);

        for (var cycle = 0; cycle < 3; cycle++)
        {
            var counts = new int[weights.Length];
            foreach (var pick in picks.AsSpan(cycle * total, total))
            {
                counts[pick]++;
            }

            Assert.Equal(weights, counts);
        }
    }

    [Fact]
    public void Pick_FullCycle_ReturnsScoresToZero()
    {
        int[] weights = [5, 3, 2];
        var scores = new long[3];

        for (var i = 0; i < 10; i++)
        {
            SmoothWeightedRoundRobin.Pick(weights, scores);
        }

        Assert.Equal([0L, 0L, 0L], scores);
    }

    [Fact]
    public void Pick_Weights532_NoMoreConsecutivePicksThanNeeded()
    {
        var picks = Picks([5, 3, 2], 100);

        // a has half the traffic: at most two in a row; b and c have less than half: never twice in a row.
        Assert.Equal(2, LongestRun(picks, 0));
        Assert.Equal(1, LongestRun(picks, 1));
        Assert.Equal(1, LongestRun(picks, 2));
    }

    [Fact]
    public void Pick_Weights31_HeavyMemberRunsNoLongerThanItsRatio()
    {
        var picks = Picks([3, 1], 40);

        Assert.Equal(3, LongestRun(picks, 0));
        Assert.Equal(1, LongestRun(picks, 1));
    }

    [Theory]
    [InlineData(new[] { 5, 3, 2 })]
    [InlineData(new[] { 5, 1, 1 })]
    [InlineData(new[] { 7, 11, 13 })]
    [InlineData(new[] { 100, 1 })]
    public void Pick_AnyPrefix_EachMemberWithinOnePickOfItsShare(int[] weights)
    {
        var total = weights.Sum();
        var counts = new int[weights.Length];
        var picks = Picks(weights, total * 2);

        for (var n = 1; n <= picks.Length; n++)
        {
            counts[picks[n - 1]]++;
            for (var i = 0; i < weights.Length; i++)
            {
                var share = (double)n * weights[i] / total;
                Assert.True(Math.Abs(counts[i] - share) < 1, $"after {n} picks member {i} has {counts[i]}, its share is {share:F2}");
            }
        }
    }

    [Fact]
    public void Pick_EqualWeights_PlainRotation()
    {
        Assert.Equal([0, 1, 2, 0, 1, 2], Picks([1, 1, 1], 6));
    }

    [Fact]
    public void Pick_OneMember_AlwaysZero()
    {
        Assert.All(Picks([4], 5), pick => Assert.Equal(0, pick));
    }

    [Fact]
    public void Pick_NoMembers_ReturnsMinusOne()
    {
        Assert.Equal(-1, SmoothWeightedRoundRobin.Pick([], []));
    }
}
