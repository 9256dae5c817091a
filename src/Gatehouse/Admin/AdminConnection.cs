using Microsoft.AspNetCore.Connections.Features;

namespace Gatehouse.Admin;

/// <summary>
/// Marks connections accepted on the admin listener, so the admin API is reachable there and only there: the check is
/// on the connection, not on the Host header, which a client controls.
/// </summary>
internal static class AdminConnection
{
    private static readonly object Marker = new();

    public static void Mark(Microsoft.AspNetCore.Connections.ConnectionContext connection) => connection.Items[Marker] = Marker;

    public static bool IsAdmin(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(Marker) == true;
}
