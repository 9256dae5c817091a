using System.Text.RegularExpressions;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Architecture;

/// <summary>
/// Keeps the folder graph of src/Gatehouse as docs/architecture.md draws it: layered, no feature folder using another,
/// no cycle. Read twice: from the compiled assembly (every type used, method bodies included) and from the sources'
/// <c>using</c> directives (which also catch uses the compiler inlines, such as constants).
/// </summary>
public partial class FolderDependencyTests
{
    private static readonly Lazy<Dictionary<string, SortedSet<(string To, string Because)>>> Graph = new(ReadGraph);

    private static string SourceRoot => Path.Combine(RepositoryFiles.Root, "src", "Gatehouse");

    private static Dictionary<string, SortedSet<(string To, string Because)>> ReadGraph()
    {
        var graph = FolderGraph.Read(typeof(Gatehouse.Hosting.GatehouseServer).Assembly.Location);
        foreach (var file in SourceFiles())
        {
            var from = FolderOfFile(file);
            var set = graph.TryGetValue(from, out var existing) ? existing : graph[from] = [];
            foreach (Match directive in UsingDirective().Matches(File.ReadAllText(file)))
            {
                var to = directive.Groups[1].Value;
                if (to != from)
                {
                    set.Add((to, $"{Path.GetRelativePath(SourceRoot, file)}: using Gatehouse.{to}"));
                }
            }
        }

        return graph;
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string FolderOfFile(string file)
    {
        var relative = Path.GetRelativePath(SourceRoot, file).Split(Path.DirectorySeparatorChar);
        return relative.Length == 1 ? "(global)" : relative[0];
    }

    [GeneratedRegex(@"^using (?:static )?Gatehouse\.(\w+)[\w.]*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [Fact]
    public void EveryFileDeclaresItsFoldersNamespace()
    {
        var wrong = SourceFiles()
            .Where(f => FolderOfFile(f) != "(global)")
            .Select(f => (File: f, Namespace: NamespaceDeclaration().Match(File.ReadAllText(f)).Groups[1].Value))
            .Where(f => f.Namespace != "Gatehouse." + FolderOfFile(f.File) && !f.Namespace.StartsWith("Gatehouse." + FolderOfFile(f.File) + ".", StringComparison.Ordinal))
            .Select(f => $"{Path.GetRelativePath(SourceRoot, f.File)}: namespace {f.Namespace}")
            .ToList();

        Assert.True(wrong.Count == 0, "files outside their folder's namespace:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void EveryFolderHasItsPlaceInTheLayers()
    {
        var unknown = Graph.Value.Keys.Concat(Graph.Value.Values.SelectMany(v => v.Select(e => e.To))).Distinct().Where(f => !Layers.IsKnown(f)).ToList();

        Assert.True(unknown.Count == 0, "folders missing from Layers (and docs/architecture.md): " + string.Join(", ", unknown));
    }

    [Fact]
    public void NoFolderUsesALayerAboveIt_AndNoFeatureUsesAnother()
    {
        var violations = Graph.Value
            .SelectMany(e => e.Value.Where(v => !Layers.MayUse(e.Key, v.To)).Select(v => $"{e.Key} -> {v.To}: {v.Because}"))
            .ToList();

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheFolderGraphHasNoCycle()
    {
        var edges = Graph.Value.ToDictionary(e => e.Key, e => e.Value.Select(v => v.To).Distinct().ToList());
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? cycle = null;

        void Visit(string folder)
        {
            if (cycle is not null || state.GetValueOrDefault(folder) == 2)
            {
                return;
            }

            if (state.GetValueOrDefault(folder) == 1)
            {
                cycle = [.. path.Skip(path.IndexOf(folder)), folder];
                return;
            }

            state[folder] = 1;
            path.Add(folder);
            foreach (var next in edges.GetValueOrDefault(folder) ?? [])
            {
                Visit(next);
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
        }

        foreach (var folder in edges.Keys.Order(StringComparer.Ordinal))
        {
            Visit(folder);
        }

        Assert.True(cycle is null, "cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void TheRulesCatchAFeatureUsingAnother()
    {
        Assert.False(Layers.MayUse("Protection", "Forwarding"));
        Assert.False(Layers.MayUse("Configuration", "Protection"));
        Assert.False(Layers.MayUse("Runtime", "Http"));
        Assert.False(Layers.MayUse("Lifecycle", "Hosting"));
        Assert.True(Layers.MayUse("Http", "Runtime"));
        Assert.True(Layers.MayUse("Protection", "Http"));
        Assert.True(Layers.MayUse("Lifecycle", "Protection"));
        Assert.True(Layers.MayUse("Hosting", "Lifecycle"));
        Assert.True(Layers.MayUse("Protection", "Caching"));
    }
}
