using Gatehouse.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Gatehouse.Tls;

/// <summary>
/// Tags each connection with the listener that accepted it, so request handling (redirect, client-certificate headers)
/// follows the listener's settings. The tag is on the connection, never derived from anything the client sends.
/// </summary>
internal static class ListenerConnection
{
    private static readonly object Key = new();

    public static void Mark(ConnectionContext connection, ListenerDefinition listener) => connection.Items[Key] = listener;

    public static ListenerDefinition? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(Key, out var listener) == true ? listener as ListenerDefinition : null;
}
