using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

/// <summary>
/// The config is read with compile-time generated JSON metadata (so a Native AOT build reads it as the JIT build does).
/// That generator gives an init-only property its type's default when the file leaves it out, not the record's own
/// default, so no setting may be init-only.
/// </summary>
public sealed class ConfigJsonTests
{
    [Fact]
    public void NoSettingOfAnySection_IsInitOnly()
    {
        var initOnly = ConfigModelReflection.AllSections()
            .SelectMany(s => s.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (Section: s, Property: p)))
            .Where(x => x.Property.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) == true)
            .Select(x => $"{x.Section.Name}.{x.Property.Name}")
            .ToList();
        Assert.Empty(initOnly);
    }

    [Fact]
    public void AnEmptyFile_ReadsAsTheRecordsDefaults_EverySection()
    {
        var read = ConfigLoader.Parse("""{ "listeners": [ { "port": 8080 } ], "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" } } }, "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:1/" } } } } }""");
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        var expected = new GatehouseConfig
        {
            Listeners = [new ListenerDefinition { Port = 8080 }],
            Routes = new Dictionary<string, RouteDefinition> { ["r"] = new() { ClusterId = "c", Match = new RouteMatchDefinition { PathPrefix = "/" } } },
            Clusters = new Dictionary<string, ClusterDefinition> { ["c"] = new() { Destinations = new Dictionary<string, DestinationDefinition> { ["d"] = new() { Address = "http://127.0.0.1:1/" } } } },
        };
        Assert.Equal(Show(expected), Show(read.Config!));
    }

    [Fact]
    public void UnknownSettings_AreKept_ForTheValidatorToName()
    {
        var read = ConfigLoader.Parse("""{ "listeners": [ { "port": 8080, "colour": "blue" } ] }""");
        Assert.Contains(read.Errors, e => e.Path == "listeners[0].colour");
    }

    private static string Show(GatehouseConfig config) => JsonSerializer.Serialize(config, ConfigJson.Info<GatehouseConfig>(ConfigJson.Write));
}
