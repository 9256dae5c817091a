using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Configuration;

namespace Gatehouse.Tests.Configuration;

/// <summary>How the config record types look in JSON: their settings' names, and which settings hold further sections.</summary>
internal static class ConfigModelReflection
{
    /// <summary>The settings of a section as they are spelled in JSON (public settable properties, camelCase), without the catch-all for unknown ones.</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Settings(Type section) =>
        section.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is null && p.SetMethod is { IsPublic: true })
            .ToDictionary(JsonName, p => p, StringComparer.Ordinal);

    public static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    /// <summary>Whether a setting holds a section, a list of sections or a map of sections keyed by id; and which section type.</summary>
    public static (SectionShape Shape, Type? Section) ShapeOf(Type type)
    {
        if (IsSection(type))
        {
            return (SectionShape.Single, type);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && IsSection(type.GetGenericArguments()[0]))
        {
            return (SectionShape.List, type.GetGenericArguments()[0]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) && IsSection(type.GetGenericArguments()[1]))
        {
            return (SectionShape.Map, type.GetGenericArguments()[1]);
        }

        return (SectionShape.None, null);
    }

    /// <summary>Every section type reachable from the root, the root included.</summary>
    public static IReadOnlyList<Type> AllSections()
    {
        var found = new List<Type>();
        var pending = new Queue<Type>([typeof(GatehouseConfig)]);
        while (pending.TryDequeue(out var section))
        {
            if (found.Contains(section))
            {
                continue;
            }

            found.Add(section);
            foreach (var property in Settings(section).Values)
            {
                if (ShapeOf(property.PropertyType).Section is { } child)
                {
                    pending.Enqueue(child);
                }
            }
        }

        return found;
    }

    private static bool IsSection(Type type) => typeof(ConfigSection).IsAssignableFrom(type);
}

internal enum SectionShape
{
    None,
    Single,
    List,
    Map,
}
