using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Hosting;

namespace Gatehouse.Tests.Configuration;

/// <summary>Every file in samples/ passes the check <c>gatehouse validate</c> runs, so the samples never rot.</summary>
public class SamplesTests
{
    public static TheoryData<string> Samples => new(RepositoryFiles.SampleNames());

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Sample_PassesTheFullCheck(string name)
    {
        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckFileAsync(RepositoryFiles.Sample(name));

        Assert.True(result.Errors.Count == 0, $"{name}:\n{string.Join('\n', result.Errors)}");
        Assert.True(result.IsValid);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_NamesTheSchemaAndStaysOnLoopback(string name)
    {
        using var document = RepositoryFiles.ParseConfig(RepositoryFiles.Sample(name));
        var root = document.RootElement;

        Assert.Equal("../schemas/gatehouse.schema.json", root.GetProperty("$schema").GetString());
        Assert.Equal("$schema", root.EnumerateObject().First().Name);
        Assert.All(root.GetProperty("listeners").EnumerateArray(), l => Assert.Equal("127.0.0.1", l.GetProperty("address").GetString()));
        var backends = root.GetProperty("clusters").EnumerateObject()
            .SelectMany(c => c.Value.GetProperty("destinations").EnumerateObject())
            .SelectMany(d => new[] { "address", "health" }.Select(key => d.Value.TryGetProperty(key, out var uri) ? uri.GetString() : null))
            .OfType<string>();
        // http://, fastcgi:// or h2c:// (cleartext HTTP/2, docs/grpc.md), on loopback either way.
        Assert.All(backends, uri => Assert.Matches("^(http|fastcgi|h2c)://127\\.0\\.0\\.1:", uri));
    }

    [Fact]
    public void Samples_IncludeTheDocumentedOnes()
    {
        Assert.Subset(RepositoryFiles.SampleNames().ToHashSet(), new HashSet<string> { "minimal.json", "full.json", "weighted.json", "sticky.json" });
    }

    [Fact]
    public void FullSample_UsesEverySetting()
    {
        using var document = RepositoryFiles.ParseConfig(RepositoryFiles.Sample("full.json"));
        var used = new Dictionary<Type, HashSet<string>>();
        CollectUsedSettings(typeof(GatehouseConfig), document.RootElement, used);

        var unused = ConfigModelReflection.AllSections()
            .SelectMany(section => ConfigModelReflection.Settings(section).Keys
                .Where(setting => !used.TryGetValue(section, out var names) || !names.Contains(setting))
                .Select(setting => $"{section.Name}.{setting}"))
            .ToList();
        Assert.Empty(unused);
    }

    [Fact]
    public async Task BrokenSample_ReportsEveryErrorWithItsPath()
    {
        var config = JsonNode.Parse(
            File.ReadAllText(RepositoryFiles.Sample("minimal.json")),
            documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        config["listeners"]![0]!["port"] = 70000;
        config["routes"]!["all"]!["clusterId"] = "nowhere";
        config["routes"]!["all"]!["timeout"] = "soon";
        config["clusters"]!["app"]!["loadBalancingPolicy"] = "Fastest";
        config["clusters"]!["app"]!["colour"] = "blue";
        config["clusters"]!["app"]!["destinations"]!["app2"]!["address"] = "127.0.0.1:9002";
        var path = Path.Combine(Path.GetTempPath(), $"gatehouse-broken-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, config.ToJsonString());
        ConfigLoadResult result;
        try
        {
            result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckFileAsync(path);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "clusters.app.colour",
                "clusters.app.destinations.app2.address",
                "clusters.app.loadBalancingPolicy",
                "listeners[0].port",
                "routes.all.clusterId",
                "routes.all.timeout",
            ],
            result.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(result.Errors, e => Assert.Equal($"{e.Path}: {e.Message}", e.ToString()));
        Assert.Contains(result.Errors, e => e.ToString() == "listeners[0].port: 70000 is not a port number (0 to 65535)");
        Assert.Contains(result.Errors, e => e.ToString() == "clusters.app.colour: unknown setting");
    }

    private static void CollectUsedSettings(Type section, JsonElement json, Dictionary<Type, HashSet<string>> used)
    {
        if (!used.TryGetValue(section, out var names))
        {
            used[section] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        var settings = ConfigModelReflection.Settings(section);
        foreach (var property in json.EnumerateObject())
        {
            names.Add(property.Name);
            if (!settings.TryGetValue(property.Name, out var setting))
            {
                continue;
            }

            var (shape, child) = ConfigModelReflection.ShapeOf(setting.PropertyType);
            var children = shape switch
            {
                SectionShape.Single => [property.Value],
                SectionShape.List => property.Value.EnumerateArray().ToArray(),
                SectionShape.Map => property.Value.EnumerateObject().Select(p => p.Value).ToArray(),
                _ => Array.Empty<JsonElement>(),
            };
            foreach (var element in children)
            {
                CollectUsedSettings(child!, element, used);
            }
        }
    }
}
