using Gatehouse.StaticFiles;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>RFC 9110 §13.1 and §13.2.2 for a file Gatehouse serves as the origin.</summary>
public sealed class FileConditionsTests
{
    private static readonly FileValidators File = FileValidators.Of(new DateTime(2026, 12, 1, 10, 0, 0, 500, DateTimeKind.Utc), 1234);
    private const string Before = "Tue, 01 Dec 2026 09:59:59 GMT";
    private const string Same = "Tue, 01 Dec 2026 10:00:00 GMT";
    private const string After = "Tue, 01 Dec 2026 10:00:01 GMT";

    private static FileCondition Evaluate(params (string Name, string Value)[] fields)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in fields)
        {
            headers.Append(name, value);
        }
        return FileConditions.Evaluate(headers, File);
    }

    [Fact]
    public void Validators_StrongTagAndWholeSecond()
    {
        Assert.Matches("^\"[0-9a-f]+-4d2\"$", File.ETag);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), File.LastModified);
        var encoded = FileValidators.Of(new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc), 1234, "br");
        Assert.EndsWith(".br\"", encoded.ETag);
        Assert.NotEqual(FileValidators.Of(new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc), 1234).ETag, encoded.ETag);
    }

    [Fact]
    public void NoConditions_Serve() => Assert.Equal(FileCondition.Serve, Evaluate());

    [Fact]
    public void IfNoneMatch_Matching_IsNotModified_WeakComparison_Section13_1_2()
    {
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", File.ETag)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", "W/" + File.ETag)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", "\"other\", " + File.ETag)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", "\"other\""), ("If-None-Match", File.ETag)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", "*")));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-None-Match", "\"other\"")));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-None-Match", "garbage")));
    }

    [Fact]
    public void IfNoneMatch_TakesPrecedenceOverIfModifiedSince_Section13_2_2()
    {
        Assert.Equal(FileCondition.Serve, Evaluate(("If-None-Match", "\"other\""), ("If-Modified-Since", After)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-None-Match", File.ETag), ("If-Modified-Since", Before)));
    }

    [Fact]
    public void IfModifiedSince_Section13_1_3()
    {
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-Modified-Since", Same)));
        Assert.Equal(FileCondition.NotModified, Evaluate(("If-Modified-Since", After)));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Modified-Since", Before)));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Modified-Since", "yesterday"))); // invalid: ignored (MUST)
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Modified-Since", Same), ("If-Modified-Since", After))); // repeated: ignored
    }

    [Fact]
    public void IfMatch_StrongComparison_FailsWith412_Section13_1_1()
    {
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Match", File.ETag)));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Match", "*")));
        Assert.Equal(FileCondition.PreconditionFailed, Evaluate(("If-Match", "W/" + File.ETag))); // weak never matches strongly
        Assert.Equal(FileCondition.PreconditionFailed, Evaluate(("If-Match", "\"other\"")));
        Assert.Equal(FileCondition.PreconditionFailed, Evaluate(("If-Match", "garbage")));
    }

    [Fact]
    public void IfUnmodifiedSince_OnlyWithoutIfMatch_Section13_1_4()
    {
        Assert.Equal(FileCondition.PreconditionFailed, Evaluate(("If-Unmodified-Since", Before)));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Unmodified-Since", Same)));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Unmodified-Since", "not a date")));
        Assert.Equal(FileCondition.Serve, Evaluate(("If-Match", File.ETag), ("If-Unmodified-Since", Before))); // If-Match wins
    }

    [Fact]
    public void PreconditionFailure_ComesBeforeNotModified_Section13_2_2()
    {
        Assert.Equal(FileCondition.PreconditionFailed, Evaluate(("If-Match", "\"other\""), ("If-None-Match", File.ETag)));
    }
}
