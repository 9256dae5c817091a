namespace Gatehouse.Http;

/// <summary>
/// Header rules for the answers Gatehouse writes itself (its pages and refusals): the route's security headers, or the
/// global ones for a request no route matched. Protection compiles them; <see cref="ErrorPages"/> applies them.
/// </summary>
public interface IAnswerHeaders
{
    void ApplyTo(IHeaderDictionary headers);
}
