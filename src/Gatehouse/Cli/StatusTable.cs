using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Cli;

/// <summary>
/// The human-readable forms of the admin API's answers (<c>gatehouse status</c>, <c>gatehouse destination …</c>):
/// aligned columns, one line per route and per destination. Pure, so the layout is unit-tested.
/// </summary>
internal static class StatusTable
{
    public static string Status(JsonElement status)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Gatehouse config revision {Number(status, "revision")}\n\n");

        var routes = Items(status, "routes").Select(r => new[]
        {
            Text(r, "id"), Text(r, "cluster"), Join(r, "hosts"), Text(r, "path"), Join(r, "methods"), r.TryGetProperty("cached", out var c) && c.ValueKind == JsonValueKind.True ? "yes" : "",
        }).ToList();
        text.Append(Table(["ROUTE", "CLUSTER", "HOSTS", "PATH", "METHODS", "CACHED"], routes)).Append('\n');

        var destinations = Items(status, "clusters").SelectMany(cluster => Items(cluster, "destinations").Select(d => new[]
        {
            Text(cluster, "id"), Text(d, "id"), Text(d, "state"), Text(d, "active"), Text(d, "passive"), Number(d, "concurrentRequests"), Text(d, "address"),
        })).ToList();
        text.Append(Table(["CLUSTER", "DESTINATION", "STATE", "ACTIVE HEALTH", "PASSIVE HEALTH", "IN FLIGHT", "ADDRESS"], destinations));

        if (status.TryGetProperty("cache", out var cache) && cache.ValueKind == JsonValueKind.Object)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\ncache: {Number(cache, "entries")} entries, {Bytes(cache, "bytes")} of {Bytes(cache, "maxBytes")}, {Number(cache, "evictions")} evictions\n");
        }

        return text.ToString();
    }

    public static string Destination(JsonElement answer)
    {
        var destination = answer.GetProperty("destination");
        return $"{Text(answer, "cluster")}/{Text(destination, "id")}: {Text(destination, "state")} ({Number(destination, "concurrentRequests")} in flight)\n";
    }

    /// <summary>Columns as wide as their widest cell, two spaces apart; a header line, then one line per row.</summary>
    public static string Table(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(headers.ToArray()))
        {
            text.Append(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static string Join(JsonElement element, string name) => string.Join(",", Items(element, name).Select(v => v.GetString()));

    private static string Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : "-";

    private static string Bytes(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || !value.TryGetInt64(out var bytes))
        {
            return "-";
        }

        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var size = (double)bytes;
        var unit = 0;
        while (size >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{size:0.#} {units[unit]}");
    }
}
