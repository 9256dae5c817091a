using Gatehouse.Http1;

namespace Gatehouse.Http;

/// <summary>
/// A response transform of Gatehouse's own that the lean path can also apply without an HttpResponseMessage: it runs
/// once the backend's fields are in <c>context.Response.Headers</c> (copied as YARP's transformer copies them), and
/// sees the backend's head as parsed. Set <paramref name="suppressBody"/> where the YARP form sets
/// <c>SuppressResponseBody</c>; the steps after it still run, as on YARP's path.
/// </summary>
public interface IDirectResponseStep
{
    void OnDirectResponse(HttpContext context, ResponseHead backend, ref bool suppressBody);
}
