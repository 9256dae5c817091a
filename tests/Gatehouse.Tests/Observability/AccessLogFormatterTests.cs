using System.Text.Json;
using Gatehouse.Configuration;
using Gatehouse.Observability;

namespace Gatehouse.Tests.Observability;

public class AccessLogFormatterTests
{
    private static readonly AccessLogEntry Entry = new(
        Time: new DateTimeOffset(2024, 3, 5, 14, 7, 9, 123, TimeSpan.FromHours(2)),
        RemoteAddress: "203.0.113.7",
        Method: "GET",
        Target: "/api/items?id=1",
        Protocol: "HTTP/1.1",
        Status: 200,
        BytesSent: 512,
        DurationMs: 12.34567,
        Referer: "https://example.com/",
        UserAgent: "curl/8.5.0",
        Host: "example.com",
        Route: "web",
        Cluster: "api",
        Destination: "d1",
        Attempts: 1,
        RequestId: "0HN7ABC:00000001",
        CacheStatus: "miss",
        UpstreamMs: 10.98765);

    [Fact]
    public void Combined_Entry_ExactNginxLine()
    {
        Assert.Equal(
            "203.0.113.7 - - [05/Mar/2024:14:07:09 +0200] \"GET /api/items?id=1 HTTP/1.1\" 200 512 \"https://example.com/\" \"curl/8.5.0\"",
            AccessLogFormatter.Combined(Entry));
    }

    [Fact]
    public void Combined_NegativeOffset_SignAndMinutes()
    {
        var line = AccessLogFormatter.Combined(Entry with { Time = new DateTimeOffset(2024, 12, 31, 23, 59, 59, TimeSpan.FromMinutes(-330)) });

        Assert.Contains("[31/Dec/2024:23:59:59 -0530]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_Utc_PlusZero()
    {
        var line = AccessLogFormatter.Combined(Entry with { Time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero) });

        Assert.Contains("[02/Jan/2024:03:04:05 +0000]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_MissingValues_Dashes()
    {
        var line = AccessLogFormatter.Combined(Entry with { RemoteAddress = null, Referer = null, UserAgent = "" });

        Assert.Equal("- - - [05/Mar/2024:14:07:09 +0200] \"GET /api/items?id=1 HTTP/1.1\" 200 512 \"-\" \"-\"", line);
    }

    [Theory]
    [InlineData("say \"hi\"", "say \\x22hi\\x22")]
    [InlineData("back\\slash", "back\\x5Cslash")]
    [InlineData("line\nbreak", "line\\x0Abreak")]
    [InlineData("cr\rlf", "cr\\x0Dlf")]
    [InlineData("tab\there", "tab\\x09here")]
    [InlineData("nul\0", "nul\\x00")]
    [InlineData("del\u007f", "del\\x7F")]
    [InlineData("plain ASCII ~!@#$%^&*()", "plain ASCII ~!@#$%^&*()")]
    public void Combined_QuotesBackslashesAndControlChars_EscapedAsHex(string userAgent, string escaped)
    {
        var line = AccessLogFormatter.Combined(Entry with { UserAgent = userAgent });

        Assert.EndsWith($"\"{escaped}\"", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("caf\u00e9", "caf\\xC3\\xA9")]
    [InlineData("\u00ff", "\\xC3\\xBF")]
    [InlineData("\u0080", "\\xC2\\x80")]
    [InlineData("\u20ac", "\\xE2\\x82\\xAC")]
    [InlineData("\U0001F600", "\\xF0\\x9F\\x98\\x80")]
    public void Combined_NonAscii_EscapedAsItsUtf8Bytes(string userAgent, string escaped)
    {
        var line = AccessLogFormatter.Combined(Entry with { UserAgent = userAgent });

        Assert.EndsWith($"\"{escaped}\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_LoneSurrogate_EscapedAsReplacementCharacter()
    {
        var line = AccessLogFormatter.Combined(Entry with { UserAgent = "a\ud800b" });

        Assert.EndsWith("\"a\\xEF\\xBF\\xBDb\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_RequestLineParts_AreEscaped()
    {
        var line = AccessLogFormatter.Combined(Entry with { Method = "GE\"T", Target = "/a\"b", Protocol = "HTTP/1.1\n" });

        Assert.Contains("\"GE\\x22T /a\\x22b HTTP/1.1\\x0A\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_ForgedLineInUserAgent_StaysOneLineWithSixQuotes()
    {
        var line = AccessLogFormatter.Combined(Entry with
        {
            Referer = "x\" 200 1 \"y",
            UserAgent = "curl\"\n6.6.6.6 - - [05/Mar/2024:14:07:09 +0200] \"GET /admin HTTP/1.1\" 200 1 \"-\" \"-",
        });

        Assert.DoesNotContain('\n', line);
        Assert.Equal(6, line.Count(c => c == '"'));
    }

    [Fact]
    public void Json_Entry_IsOneLineOfValidJsonWithEveryField()
    {
        var line = AccessLogFormatter.Json(Entry);

        Assert.DoesNotContain('\n', line);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(Entry.Time, root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("203.0.113.7", root.GetProperty("remote_addr").GetString());
        Assert.Equal("GET", root.GetProperty("method").GetString());
        Assert.Equal("/api/items?id=1", root.GetProperty("uri").GetString());
        Assert.Equal("HTTP/1.1", root.GetProperty("protocol").GetString());
        Assert.Equal("example.com", root.GetProperty("host").GetString());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.Equal(512, root.GetProperty("bytes_sent").GetInt64());
        Assert.Equal(12.346, root.GetProperty("duration_ms").GetDouble());
        Assert.Equal("https://example.com/", root.GetProperty("referer").GetString());
        Assert.Equal("curl/8.5.0", root.GetProperty("user_agent").GetString());
        Assert.Equal("web", root.GetProperty("route").GetString());
        Assert.Equal("api", root.GetProperty("cluster").GetString());
        Assert.Equal("d1", root.GetProperty("destination").GetString());
        Assert.Equal(1, root.GetProperty("attempts").GetInt32());
        Assert.Equal("0HN7ABC:00000001", root.GetProperty("request_id").GetString());
        Assert.Equal("miss", root.GetProperty("cache").GetString());
        Assert.Equal(10.988, root.GetProperty("upstream_ms").GetDouble());
        Assert.Equal(18, root.EnumerateObject().Count());
    }

    [Fact]
    public void Json_MissingValues_AreNull()
    {
        var line = AccessLogFormatter.Json(Entry with { RemoteAddress = null, Referer = null, UserAgent = null, Host = null, Route = null, Cluster = null, Destination = null, Attempts = 0, RequestId = null, CacheStatus = null, UpstreamMs = null });

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        foreach (var name in new[] { "remote_addr", "referer", "user_agent", "host", "route", "cluster", "destination", "request_id", "cache", "upstream_ms" })
        {
            Assert.Equal(JsonValueKind.Null, root.GetProperty(name).ValueKind);
        }

        Assert.Equal(0, root.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public void Json_QuotesControlAndNonAsciiChars_RoundTrip()
    {
        const string userAgent = "a \"quoted\" \\ value\nwith\ttabs, <tags> & caf\u00e9 \U0001F600\0";

        var line = AccessLogFormatter.Json(Entry with { UserAgent = userAgent, Target = "/search?q=\"x\"&y=<1>" });

        Assert.DoesNotContain('\n', line);
        using var document = JsonDocument.Parse(line);
        Assert.Equal(userAgent, document.RootElement.GetProperty("user_agent").GetString());
        Assert.Equal("/search?q=\"x\"&y=<1>", document.RootElement.GetProperty("uri").GetString());
    }

    [Theory]
    [InlineData(200, false, 200)]
    [InlineData(400, false, 400)]
    [InlineData(200, true, 499)] // a response cut short
    [InlineData(400, true, 499)] // a body read that failed because the stream was reset
    [InlineData(502, true, 499)] // a forward abandoned because the client left
    public void AClientThatWentAway_Is499(int status, bool clientAborted, int logged) =>
        Assert.Equal(logged, AccessLogStatus.Of(status, clientAborted));
}
