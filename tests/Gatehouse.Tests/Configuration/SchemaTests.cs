using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.LoadBalancing;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Tests.Configuration;

/// <summary>
/// schemas/gatehouse.schema.json is written by hand; these tests keep it in step with the config records: the same
/// settings in every section, the same JSON types and defaults, the same names for policies and modes.
/// </summary>
public class SchemaTests
{
    private const string DurationRef = "#/$defs/duration";

    private static readonly Lazy<JsonDocument> Schema = new(() => JsonDocument.Parse(File.ReadAllText(RepositoryFiles.SchemaPath)));

    private static JsonElement Root => Schema.Value.RootElement;

    [Fact]
    public void Schema_NamesEverySettingOfTheModelAndNoOther()
    {
        var problems = new List<string>();
        foreach (var (section, node) in SectionNodes())
        {
            var model = ConfigModelReflection.Settings(section).Keys.ToHashSet();
            var schema = node.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
            problems.AddRange(model.Except(schema).Select(name => $"{section.Name}.{name}: missing from the schema"));
            problems.AddRange(schema.Except(model).Select(name => $"{section.Name}.{name}: in the schema but not in the model"));
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Schema_GivesEachSettingTheModelsJsonType()
    {
        var problems = new List<string>();
        foreach (var (section, node) in SectionNodes())
        {
            foreach (var (name, property) in ConfigModelReflection.Settings(section))
            {
                if (!node.GetProperty("properties").TryGetProperty(name, out var setting))
                {
                    continue;
                }

                var expected = JsonTypeOf(property.PropertyType);
                var actual = SchemaTypeOf(setting);
                if (expected != actual)
                {
                    problems.Add($"{section.Name}.{name}: the model is {expected}, the schema says {actual}");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Schema_StatesEachModelDefault()
    {
        var problems = new List<string>();
        foreach (var (section, node) in SectionNodes())
        {
            var instance = Activator.CreateInstance(section)!;
            foreach (var (name, property) in ConfigModelReflection.Settings(section))
            {
                var value = property.GetValue(instance);
                if (value is null || ConfigModelReflection.ShapeOf(property.PropertyType).Shape != SectionShape.None
                    || !node.GetProperty("properties").TryGetProperty(name, out var setting))
                {
                    continue;
                }

                if (!setting.TryGetProperty("default", out var stated))
                {
                    problems.Add($"{section.Name}.{name}: no default in the schema; the model's is {JsonSerializer.Serialize(value)}");
                }
                else if (!SameValue(value, stated))
                {
                    problems.Add($"{section.Name}.{name}: the schema's default is {stated.GetRawText()}, the model's {JsonSerializer.Serialize(value)}");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Schema_ClosesEverySectionToUnknownSettings()
    {
        foreach (var (section, node) in SectionNodes())
        {
            Assert.True(node.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False, $"{section.Name} allows unknown settings");
        }
    }

    [Fact]
    public void Schema_ListsThePolicyAndModeNamesTheCodeAccepts()
    {
        Assert.Equal(LoadBalancingPolicyNames.All.Order(), Enum(Definition("cluster"), "loadBalancingPolicy").Order());
        Assert.Equal(Enum<HeaderMatchMode>(), Enum(Definition("headerMatch"), "mode").Order());
        Assert.Equal([AllUnhealthyModes.Fail, AllUnhealthyModes.Panic], Enum(Definition("healthCheck"), "whenAllUnhealthy").Order());
        Assert.Equal([AccessLogFormats.Combined, AccessLogFormats.Json], Enum(Definition("accessLog"), "format").Order());
    }

    [Fact]
    public void Schema_AcceptsOnlyHttpVersionsTheValidatorAccepts()
    {
        foreach (var version in Enum(Definition("httpRequest"), "version"))
        {
            var config = ConfigLoader.Parse($$"""
                {
                  "listeners": [ { "port": 0 } ],
                  "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9001" } }, "httpRequest": { "version": "{{version}}" } } }
                }
                """);
            Assert.True(config.IsValid, $"{version}: {string.Join(", ", config.Errors)}");
        }
    }

    [Theory]
    [InlineData("250ms")]
    [InlineData("5s")]
    [InlineData("1.5s")]
    [InlineData(".5s")]
    [InlineData("2m")]
    [InlineData("1h")]
    [InlineData("1d")]
    [InlineData("00:00:05")]
    [InlineData("0:5")]
    [InlineData("00:00:00.250")]
    [InlineData("1.00:00:00")]
    public void DurationPattern_AcceptsWhatGatehouseParses(string duration)
    {
        Assert.True(Duration.TryParse(duration, out _));
        Assert.Matches(DurationPattern(), duration);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5 s")]
    [InlineData("5sec")]
    [InlineData("5S")]
    [InlineData("-5s")]
    [InlineData(".s")]
    [InlineData("1.2.3s")]
    [InlineData("1e3ms")]
    [InlineData("-00:00:05")]
    [InlineData("00:60:00")]
    [InlineData("soon")]
    [InlineData("")]
    public void DurationPattern_RejectsWhatGatehouseRejects(string duration)
    {
        Assert.False(Duration.TryParse(duration, out _));
        Assert.DoesNotMatch(DurationPattern(), duration);
    }

    [Fact]
    public void DurationPattern_RejectsHoursPastTwentyThree_WhichTimeSpanReadsAsDays()
    {
        // TimeSpan.TryParse reads "36:00:00" as 36 days, not 36 hours; both the parser and the schema refuse it.
        Assert.False(Duration.TryParse("36:00:00", out _));
        Assert.DoesNotMatch(DurationPattern(), "36:00:00");
    }

    [Theory]
    [InlineData("ip")]
    [InlineData("IP")]
    [InlineData("path")]
    [InlineData("header:X-User-Id")]
    [InlineData("Cookie:session")]
    [InlineData("ip:x")]
    [InlineData("header:")]
    [InlineData("header: ")]
    [InlineData("cookie")]
    [InlineData("host")]
    public void HashKeyPattern_AgreesWithHashKeyParsing(string hashKey)
    {
        var pattern = Pattern(Definition("cluster").GetProperty("properties").GetProperty("hashKey"));
        Assert.Equal(HashKey.TryParse(hashKey, out _), pattern.IsMatch(hashKey));
    }

    [Fact]
    public void Schema_PatternsAreEcmaScriptRegularExpressions()
    {
        var patterns = new List<string>();
        CollectPatterns(Root, patterns);

        Assert.NotEmpty(patterns);
        Assert.All(patterns, p => _ = new Regex(p, RegexOptions.ECMAScript));
    }

    /// <summary>Each section type with its schema object, found by following the model from the root.</summary>
    private static IEnumerable<(Type Section, JsonElement Node)> SectionNodes()
    {
        var pending = new Queue<(Type, JsonElement)>([(typeof(GatehouseConfig), Root)]);
        var seen = new HashSet<Type>();
        while (pending.TryDequeue(out var next))
        {
            var (section, node) = next;
            if (!seen.Add(section))
            {
                continue;
            }

            yield return (section, node);
            var properties = node.GetProperty("properties");
            foreach (var (name, property) in ConfigModelReflection.Settings(section))
            {
                if (!properties.TryGetProperty(name, out var setting))
                {
                    continue;
                }

                var (shape, child) = ConfigModelReflection.ShapeOf(property.PropertyType);
                var resolved = Resolve(setting);
                switch (shape)
                {
                    case SectionShape.Single:
                        pending.Enqueue((child!, resolved));
                        break;
                    case SectionShape.List:
                        pending.Enqueue((child!, Resolve(resolved.GetProperty("items"))));
                        break;
                    case SectionShape.Map:
                        pending.Enqueue((child!, Resolve(resolved.GetProperty("additionalProperties"))));
                        break;
                }
            }
        }
    }

    private static JsonElement Resolve(JsonElement node)
    {
        while (node.TryGetProperty("$ref", out var reference))
        {
            node = Definition(reference.GetString()!["#/$defs/".Length..]);
        }

        return node;
    }

    private static JsonElement Definition(string name) => Root.GetProperty("$defs").GetProperty(name);

    private static string JsonTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(Duration) => "duration",
            _ when type == typeof(ByteSize) => "byteSize",
            _ when type == typeof(string) => "string",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(int) || type == typeof(long) => "integer",
            _ when type == typeof(double) => "number",
            { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => "array",
            { IsGenericType: true } when type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) => "object",
            _ when typeof(ConfigSection).IsAssignableFrom(type) => "object",
            _ => $"unmapped {type.Name}",
        };
    }

    private static string SchemaTypeOf(JsonElement setting) =>
        setting.TryGetProperty("$ref", out var reference) && reference.GetString() == DurationRef ? "duration"
        : setting.TryGetProperty("$ref", out var sizeReference) && sizeReference.GetString() == "#/$defs/byteSize" ? "byteSize"
        : Resolve(setting).TryGetProperty("type", out var type) ? type.GetString()! : "no type";

    private static bool SameValue(object model, JsonElement stated) => model switch
    {
        Duration duration => stated.ValueKind == JsonValueKind.String && Duration.TryParse(stated.GetString(), out var parsed) && parsed == duration.Value,
        ByteSize size => stated.ValueKind == JsonValueKind.String && ByteSize.TryParse(stated.GetString(), out var bytes) && bytes == size.Value,
        int or long or double => stated.ValueKind == JsonValueKind.Number && stated.GetDecimal() == Convert.ToDecimal(model, System.Globalization.CultureInfo.InvariantCulture),
        _ => JsonElement.DeepEquals(JsonSerializer.SerializeToElement(model), stated),
    };

    private static IEnumerable<string> Enum(JsonElement definition, string setting) =>
        Resolve(definition.GetProperty("properties").GetProperty(setting)).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToList();

    private static IEnumerable<string> Enum<TEnum>()
        where TEnum : struct, System.Enum => System.Enum.GetNames<TEnum>().Order();

    private static Regex DurationPattern() => Pattern(Definition("duration"));

    private static Regex Pattern(JsonElement node) => new(Resolve(node).GetProperty("pattern").GetString()!, RegexOptions.ECMAScript);

    private static void CollectPatterns(JsonElement node, List<string> patterns)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    if (property.Name == "pattern" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        patterns.Add(property.Value.GetString()!);
                    }
                    else
                    {
                        CollectPatterns(property.Value, patterns);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    CollectPatterns(item, patterns);
                }

                break;
        }
    }
}
