using Gatehouse.LoadBalancing;

namespace Gatehouse.Tests.LoadBalancing;

public class HashRingTests
{
    private const int KeyCount = 10_000;

    private static readonly string[] Keys = Enumerable.Range(0, KeyCount).Select(i => $"client-{i}").ToArray();

    private static HashRing Ring(params string[] members) => new(members.Select(m => (m, 1)).ToList());

    private static string[] Owners(HashRing ring) => Keys.Select(k => ring.Locate(k)!).ToArray();

    private static Dictionary<string, int> Shares(HashRing ring) => Owners(ring).CountBy(o => o).ToDictionary();

    [Fact]
    public void Locate_SameMembers_SameOwners()
    {
        Assert.Equal(Owners(Ring("a", "b", "c", "d")), Owners(Ring("a", "b", "c", "d")));
    }

    [Fact]
    public void Locate_MembersInAnotherOrder_SameOwners()
    {
        Assert.Equal(Owners(Ring("a", "b", "c", "d")), Owners(Ring("d", "b", "a", "c")));
    }

    [Fact]
    public void Hash_IsStableAcrossCalls()
    {
        Assert.Equal(HashRing.Hash("client-1"), HashRing.Hash("client-1"));
        Assert.NotEqual(HashRing.Hash("client-1"), HashRing.Hash("client-2"));
    }

    [Fact]
    public void Locate_FourMembers_EachGetsAboutAQuarter()
    {
        var shares = Shares(Ring("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80"));

        Assert.Equal(4, shares.Count);
        Assert.All(shares.Values, count => Assert.InRange(count, KeyCount * 20 / 100, KeyCount * 30 / 100));
    }

    [Fact]
    public void Locate_AddFifthMember_MovesAtMostAFifthPlusFivePercentAllToTheNewMember()
    {
        var before = Owners(Ring("a", "b", "c", "d"));
        var after = Owners(Ring("a", "b", "c", "d", "e"));

        var moved = Enumerable.Range(0, KeyCount).Where(i => before[i] != after[i]).ToList();

        Assert.InRange(moved.Count, KeyCount * 10 / 100, KeyCount * 25 / 100);
        Assert.All(moved, i => Assert.Equal("e", after[i]));
    }

    [Fact]
    public void Locate_RemoveMember_OnlyItsKeysMove()
    {
        var before = Owners(Ring("a", "b", "c", "d"));
        var after = Owners(Ring("a", "b", "d"));

        var lostOwner = 0;
        for (var i = 0; i < KeyCount; i++)
        {
            if (before[i] == "c")
            {
                lostOwner++;
                Assert.NotEqual("c", after[i]);
            }
            else
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.InRange(lostOwner, KeyCount * 20 / 100, KeyCount * 30 / 100);
    }

    [Fact]
    public void Locate_RemovedMembersKeys_SpreadOverTheOthers()
    {
        var before = Owners(Ring("a", "b", "c", "d"));
        var after = Owners(Ring("a", "b", "d"));

        var heirs = Enumerable.Range(0, KeyCount).Where(i => before[i] == "c").Select(i => after[i]).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(["a", "b", "d"], heirs);
    }

    [Fact]
    public void Locate_DoubleWeight_RoughlyDoubleShare()
    {
        var shares = Shares(new HashRing([("a", 2), ("b", 1), ("c", 1), ("d", 1)]));

        // a should get 2/5 of the keys, the others 1/5 each.
        Assert.InRange(shares["a"], KeyCount * 35 / 100, KeyCount * 45 / 100);
        var othersAverage = (shares["b"] + shares["c"] + shares["d"]) / 3.0;
        Assert.InRange(shares["a"] / othersAverage, 1.6, 2.4);
    }

    [Fact]
    public void Locate_WeightChange_MovesKeysOnlyToTheHeavierMember()
    {
        var before = Owners(new HashRing([("a", 1), ("b", 1), ("c", 1)]));
        var after = Owners(new HashRing([("a", 3), ("b", 1), ("c", 1)]));

        var moved = Enumerable.Range(0, KeyCount).Where(i => before[i] != after[i]).ToList();

        Assert.NotEmpty(moved);
        Assert.All(moved, i => Assert.Equal("a", after[i]));
    }

    [Fact]
    public void Locate_ZeroWeight_CountsAsOne()
    {
        Assert.Equal(Owners(new HashRing([("a", 1), ("b", 1)])), Owners(new HashRing([("a", 0), ("b", 1)])));
    }

    [Fact]
    public void Locate_AcceptRefusesOwner_SkipsToAnotherMember()
    {
        var ring = Ring("a", "b", "c", "d");
        var refused = ring.Members.ToList().IndexOf("b");

        for (var k = 0; k < 2_000; k++)
        {
            var hash = HashRing.Hash(Keys[k]);
            var owner = ring.Locate(hash, 0, static (_, _) => true);
            var located = ring.Locate(hash, refused, static (index, refused) => index != refused);

            Assert.NotEqual(refused, located);
            Assert.InRange(located, 0, 3);
            if (owner != refused)
            {
                Assert.Equal(owner, located);
            }
        }
    }

    [Fact]
    public void Locate_AcceptRefusesOwner_SameAsRingWithoutThatMember()
    {
        var full = Ring("a", "b", "c", "d");
        var without = Ring("a", "c", "d");
        var b = full.Members.ToList().IndexOf("b");

        foreach (var key in Keys)
        {
            var located = full.Locate(HashRing.Hash(key), b, static (index, refused) => index != refused);
            Assert.Equal(without.Locate(key), full.Members[located]);
        }
    }

    [Fact]
    public void Locate_AcceptRefusesEveryone_AsksEachMemberOnceThenReturnsMinusOne()
    {
        var ring = Ring("a", "b", "c");
        var asked = new List<int>();

        var located = ring.Locate(HashRing.Hash("client-1"), asked, static (index, asked) =>
        {
            asked.Add(index);
            return false;
        });

        Assert.Equal(-1, located);
        Assert.Equal([0, 1, 2], asked.Order());
    }

    [Fact]
    public void Locate_EmptyRing_NoOwner()
    {
        var ring = Ring();

        Assert.Null(ring.Locate("client-1"));
        Assert.Equal(-1, ring.Locate(HashRing.Hash("client-1"), 0, static (_, _) => true));
    }

    [Fact]
    public void Locate_OneMember_OwnsEverything()
    {
        Assert.All(Owners(Ring("only")), owner => Assert.Equal("only", owner));
    }

    [Fact]
    public void Locate_HashBeyondLastPoint_WrapsAround()
    {
        var ring = Ring("a", "b", "c");

        Assert.Equal(ring.Locate(0UL, 0, static (_, _) => true), ring.Locate(ulong.MaxValue, 0, static (_, _) => true));
    }

    [Fact]
    public void Members_InGivenOrder()
    {
        Assert.Equal(["b", "a"], new HashRing([("b", 1), ("a", 5)]).Members);
    }
}
