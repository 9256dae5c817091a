namespace Gatehouse.Observability.Metrics;

/// <summary>
/// What Gatehouse's HTTP cache did with a request, read from its own member of the <c>Cache-Status</c> field (RFC 9211),
/// the last one, which the cache appends: <c>hit</c>, <c>stale</c> (served stale: stale-while-revalidate or
/// stale-if-error), <c>collapsed</c> (answered by another request's forward), <c>miss</c>, <c>revalidation</c> (went
/// forward to validate a stored response), <c>bypass</c> (the request or method skips the cache). A pure function, so
/// the metric's labels come from this short list whatever the field holds.
/// </summary>
public static class CacheOutcome
{
    public static (string? Outcome, bool Stored) Classify(string? field, string cacheName)
    {
        if (string.IsNullOrEmpty(field))
        {
            return (null, false);
        }

        var member = field.AsSpan(field.LastIndexOf(',') + 1).Trim();
        var separator = member.IndexOf(';');
        if (separator < 0 || !member[..separator].Trim().SequenceEqual(cacheName))
        {
            return (null, false);
        }

        string? forward = null;
        bool hit = false, stored = false, collapsed = false, stale = false;
        foreach (var range in member[(separator + 1)..].Split(';'))
        {
            var parameter = member[(separator + 1)..][range].Trim();
            var equals = parameter.IndexOf('=');
            var name = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? [] : parameter[(equals + 1)..];
            switch (name)
            {
                case "hit":
                    hit = true;
                    break;
                case "stored":
                    stored = !value.SequenceEqual("?0");
                    break;
                case "collapsed":
                    collapsed = !value.SequenceEqual("?0");
                    break;
                case "fwd":
                    forward = value.ToString();
                    break;
                case "detail":
                    stale = value.SequenceEqual("stale-while-revalidate") || value.SequenceEqual("stale-if-error");
                    break;
            }
        }

        var outcome = stale ? "stale"
            : hit ? "hit"
            : collapsed ? "collapsed"
            : forward switch
            {
                "uri-miss" or "vary-miss" or "miss" or "partial" => "miss",
                "stale" or "request" => "revalidation",
                "bypass" or "method" => "bypass",
                _ => "other",
            };
        return (outcome, stored);
    }
}
