using Gatehouse.Fuzz.Targets;

namespace Gatehouse.Fuzz;

/// <summary>
/// Every fuzz target by name (fuzz/run.sh TARGET; fuzz/seeds/TARGET and fuzz/corpus/TARGET hold its inputs). A target
/// takes any bytes and returns normally: the parser's documented refusal (false, Invalid, config errors,
/// AcmeException) is caught or returned inside it; any exception that escapes is a finding.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["http1"] = Http1Target.Run,
        ["client-hello"] = ClientHelloTarget.Run,
        ["cache-control"] = CacheControlTarget.Run,
        ["vary"] = VaryTarget.Run,
        ["range"] = RangeTarget.Run,
        ["http-date"] = HttpDateTarget.Run,
        ["config"] = ConfigTarget.Run,
        ["acme-json"] = AcmeJsonTarget.Run,
        ["proxy-protocol"] = ProxyProtocolTarget.Run,
        ["http2-frames"] = Http2FramesTarget.Run,
    };
}
