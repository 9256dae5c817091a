using System.Diagnostics;
using Gatehouse.Fuzz;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Fuzzing;

/// <summary>
/// Every fuzz target (fuzz/Gatehouse.Fuzz, run under AFL++ by fuzz/run.sh) run in-process, without AFL: over its seeds
/// (fuzz/seeds/TARGET), the corpus earlier AFL runs kept (fuzz/corpus/TARGET) and a few thousand seeded mutations of
/// them, bounded in count and time. A target catches its parser's documented refusal itself, so any exception is a
/// crash or a broken invariant, reported with the input that caused it.
/// </summary>
public sealed class FuzzTargetTests
{
    private const int Mutations = 3000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(15);

    public static TheoryData<string> Targets() => new(FuzzTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_SurvivesItsSeedsAndMutations(string target)
    {
        var run = FuzzTargets.All[target];
        var seeds = Inputs("seeds", target);
        Assert.True(seeds.Count >= 3, $"fuzz/seeds/{target} has {seeds.Count} seeds");
        var dictionary = Path.Combine(RepositoryFiles.Root, "fuzz", "dict", target + ".dict");
        var tokens = File.Exists(dictionary) ? Gatehouse.Fuzz.Mutations.ReadDictionary(dictionary) : [];
        var corpus = seeds.Concat(Inputs("corpus", target)).ToList();

        var clock = Stopwatch.StartNew();
        var ran = 0;
        foreach (var input in Gatehouse.Fuzz.Mutations.Of(corpus, tokens, Mutations, seed: 17))
        {
            try
            {
                run(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{target}: {e.GetType().Name}: {e.Message}\ninput ({input.Length} bytes): {Convert.ToHexString(input)}\n{e.StackTrace}");
            }

            if (++ran >= corpus.Count && clock.Elapsed > Budget)
            {
                break; // a loaded machine runs fewer mutations, never fewer seeds
            }
        }

        Assert.True(ran >= corpus.Count, $"{target}: ran {ran} of {corpus.Count} seeds");
    }

    private static List<byte[]> Inputs(string kind, string target)
    {
        var directory = Path.Combine(RepositoryFiles.Root, "fuzz", kind, target);
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList()
            : [];
    }
}
