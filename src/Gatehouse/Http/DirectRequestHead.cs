namespace Gatehouse.Http;

/// <summary>
/// The forwarded request as the lean path builds it without an HttpRequestMessage, for a route whose transforms are all
/// Gatehouse's own (each an <see cref="IDirectRequestStep"/>): the client's fields are forwarded as YARP's transformer
/// would copy them, and the steps remove fields by name, add fields, or choose the target, as their YARP forms do on the
/// message. Reused from request to request (the forwarder keeps a pool), so steps keep no reference to it.
/// </summary>
public sealed class DirectRequestHead
{
    private readonly List<string> _removed = new(8);
    private readonly List<KeyValuePair<string, string>> _added = new(8);

    public HttpContext Context { get; private set; } = null!;

    /// <summary>The destination's address, as YARP hands it to the forwarder.</summary>
    public string DestinationPrefix { get; private set; } = "";

    /// <summary>The origin-form target a step chose (a raw path); null: the path and query YARP would send.</summary>
    public string? Target { get; set; }

    /// <summary>Fields added so far, in order.</summary>
    public int AddedCount => _added.Count;

    public KeyValuePair<string, string> Added(int index) => _added[index];

    /// <summary>
    /// No field of this name is forwarded: not the client's, and not one added before (as removing it from the message
    /// removes both). A field added after stands.
    /// </summary>
    public void Remove(string name)
    {
        _removed.Add(name);
        for (var i = _added.Count - 1; i >= 0; i--)
        {
            if (_added[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                _added.RemoveAt(i);
            }
        }
    }

    /// <summary>A field sent after the client's; a client field of the same name that is forwarded gets it as one more value.</summary>
    public void Add(string name, string value) => _added.Add(KeyValuePair.Create(name, value));

    /// <summary>Whether the client's field of this name was removed by a step.</summary>
    public bool IsRemoved(string name)
    {
        foreach (var removed in _removed)
        {
            if (removed.Length == name.Length && removed.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts another request.</summary>
    public void Reset(HttpContext context, string destinationPrefix)
    {
        Context = context;
        DestinationPrefix = destinationPrefix;
        Target = null;
        _removed.Clear();
        _added.Clear();
    }

    /// <summary>Lets go of the request once it has been sent.</summary>
    public void Release()
    {
        Context = null!;
        _removed.Clear();
        _added.Clear();
    }
}
