namespace Gatehouse.Http;

/// <summary>
/// A request transform of Gatehouse's own that the lean path can also apply without an HttpRequestMessage. The
/// transform's YARP form (on the message) and this one must forward the same fields: a route whose every request
/// transform is such a step is forwarded through <see cref="DirectRequestHead"/>.
/// </summary>
public interface IDirectRequestStep
{
    void OnDirectRequest(DirectRequestHead head);
}
