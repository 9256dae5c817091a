using Gatehouse.Cluster.RateLimits;
using Gatehouse.Configuration;
using Gatehouse.Hosting;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Runtime;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Protection;

/// <summary>Cluster mode's rate limits and shared drain state: the pure parts (lease sizes, keys, validation, hash values).</summary>
public class SharedRateLimitPlanTests
{
    private static RateLimitPolicy Policy(string algorithm, int permitLimit, string window = "1m", int segments = 6, int tokensPerPeriod = 1, string period = "1s", string? fallback = null) =>
        RateLimitPolicy.From("p", new RateLimitDefinition
        {
            Algorithm = algorithm,
            PermitLimit = permitLimit,
            Window = Duration.Parse(window),
            SegmentsPerWindow = segments,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = Duration.Parse(period),
            WhenClusterUnavailable = fallback,
        });

    [Theory]
    [InlineData(60, 1)]
    [InlineData(199, 1)]
    [InlineData(1_000, 10)]
    [InlineData(100_000, SharedLeasePlan.MaxSize)]
    public void LeaseSize_IsOneBelowAHundred_ThenOnePercent_Capped(int limit, int size) =>
        Assert.Equal(size, SharedLeasePlan.For(Policy(RateLimitAlgorithms.SlidingWindow, limit))!.Value.Size);

    [Fact]
    public void TokenBucket_LeaseFollowsTheSustainedRate_NotTheBurst()
    {
        var plan = SharedLeasePlan.For(Policy(RateLimitAlgorithms.TokenBucket, 10_000, tokensPerPeriod: 10, period: "1s"))!.Value;

        Assert.Equal(1, plan.Size);
        Assert.Equal(SharedLimitAlgorithm.TokenBucket, plan.Shape.Algorithm);
        Assert.Equal(1_000_000, plan.Shape.PeriodMicros);
    }

    [Fact]
    public void LeaseLifetime_IsTheSmallestStep_AtMostASecond()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(250), SharedLeasePlan.For(Policy(RateLimitAlgorithms.SlidingWindow, 10, window: "1s", segments: 4))!.Value.Lifetime);
        Assert.Equal(SharedLeasePlan.MaxLifetime, SharedLeasePlan.For(Policy(RateLimitAlgorithms.FixedWindow, 10, window: "1h"))!.Value.Lifetime);
    }

    [Fact]
    public void Concurrency_StaysPerNode() => Assert.Null(SharedLeasePlan.For(Policy(RateLimitAlgorithms.Concurrency, 10)));

    [Fact]
    public void Keys_ChangeWithThePolicysNumbers_AndLongClientValuesAreHashed()
    {
        var plan60 = SharedLeasePlan.For(Policy(RateLimitAlgorithms.SlidingWindow, 60))!.Value;
        var plan61 = SharedLeasePlan.For(Policy(RateLimitAlgorithms.SlidingWindow, 61))!.Value;
        var prefix = SharedRateLimitKeys.PolicyPrefix(Policy(RateLimitAlgorithms.SlidingWindow, 60), plan60);

        Assert.StartsWith("ratelimit:p:", prefix, StringComparison.Ordinal);
        Assert.NotEqual(prefix, SharedRateLimitKeys.PolicyPrefix(Policy(RateLimitAlgorithms.SlidingWindow, 61), plan61));
        Assert.Equal("ip:192.0.2.1", SharedRateLimitKeys.Partition(new RateLimitPartitionKey(true, "192.0.2.1")));
        Assert.Equal("key:192.0.2.1", SharedRateLimitKeys.Partition(new RateLimitPartitionKey(false, "192.0.2.1")));
        var hashed = SharedRateLimitKeys.Partition(new RateLimitPartitionKey(false, new string('k', 5_000)));
        Assert.StartsWith("key:sha256-", hashed, StringComparison.Ordinal);
        Assert.True(hashed.Length < 100);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("local", false)]
    [InlineData("refuse", true)]
    [InlineData("Refuse", true)]
    public void WhenClusterUnavailable_IsResolved_AndAChangeIsAChangedPolicy(string? fallback, bool refuses)
    {
        var policy = Policy(RateLimitAlgorithms.TokenBucket, 5, fallback: fallback);

        Assert.Equal(refuses, policy.RefuseWhenClusterUnavailable);
        Assert.Equal(!refuses, policy.SameLimits(Policy(RateLimitAlgorithms.TokenBucket, 5)));
    }

    [Fact]
    public void WhenClusterUnavailable_OtherValues_AreErrorsNamingThePath()
    {
        var config = SampleConfig.Valid() with
        {
            RateLimits = new Dictionary<string, RateLimitDefinition> { ["api"] = new() { Algorithm = "tokenBucket", PermitLimit = 5, WhenClusterUnavailable = "fail-open" } },
        };

        Assert.Contains(ConfigValidator.Validate(config).Select(e => e.ToString()),
            e => e.StartsWith("rateLimits.api.whenClusterUnavailable: 'fail-open' is not one of local, refuse", StringComparison.Ordinal));
    }

    [Fact]
    public void SharedDrainValues_RoundTrip_AndForeignValuesAreIgnored()
    {
        Assert.Equal("api/d1", SharedDestinationControls.Field("API", "D1"));
        Assert.Equal(("API", "D1", DestinationMode.Draining), SharedDestinationControls.Parse(SharedDestinationControls.Value("API", "D1", DestinationMode.Draining)));
        Assert.Null(SharedDestinationControls.Parse(null));
        Assert.Null(SharedDestinationControls.Parse("Draining\nAPI"));
        Assert.Null(SharedDestinationControls.Parse("Sleeping\nAPI\nD1"));
        Assert.Null(SharedDestinationControls.Parse("7\nAPI\nD1"));
        Assert.Null(SharedDestinationControls.Parse("{\"mode\":\"Draining\"}"));
    }
}

/// <summary>Cluster mode's ACME key: validation and the sealing of blobs at rest.</summary>
public class ClusterAcmeKeyTests
{
    private static readonly string Key = Convert.ToBase64String(new byte[32]);

    private static List<string> Errors(ClusterModeDefinition cluster, bool acme) =>
        ConfigValidator.Validate(SampleConfig.Valid() with
        {
            Cluster = cluster,
            Tls = SampleConfig.Valid().Tls with { Acme = acme ? new AcmeDefinition { Hosts = ["www.example.test"], Email = "ops@example.test", AcceptTermsOfService = true } : new AcmeDefinition() },
        }).Select(e => e.ToString()).Where(e => e.StartsWith("cluster.", StringComparison.Ordinal)).ToList();

    [Fact]
    public void WithAcme_AKeyIsRequired_AndMustBe32Base64Bytes()
    {
        Assert.Contains(Errors(new() { Redis = "127.0.0.1:6379" }, acme: true), e => e.StartsWith("cluster.encryptionKey: required while tls.acme is on", StringComparison.Ordinal));
        Assert.Empty(Errors(new() { Redis = "127.0.0.1:6379" }, acme: false));
        Assert.Empty(Errors(new() { Redis = "127.0.0.1:6379", EncryptionKey = Key }, acme: true));
        Assert.Contains(Errors(new() { Redis = "127.0.0.1:6379", EncryptionKey = Convert.ToBase64String(new byte[16]) }, acme: true),
            e => e.StartsWith("cluster.encryptionKey: the value is not the base64 of 32 random bytes", StringComparison.Ordinal));
        Assert.Contains(Errors(new() { Redis = "127.0.0.1:6379", EncryptionKey = "env:GATEHOUSE_TEST_NO_SUCH_VARIABLE" }, acme: true),
            e => e.StartsWith("cluster.encryptionKey: environment variable GATEHOUSE_TEST_NO_SUCH_VARIABLE is empty", StringComparison.Ordinal));
        Assert.Contains(Errors(new() { Redis = "127.0.0.1:6379", EncryptionKey = "file:/nonexistent/gatehouse.key" }, acme: true),
            e => e.StartsWith("cluster.encryptionKey: cannot read file /nonexistent/gatehouse.key", StringComparison.Ordinal));
    }

    [Fact]
    public void SealedBlobs_OpenOnlyWithTheKeyAndTheName_AndNeverShowThePlaintext()
    {
        var seal = new Gatehouse.Cluster.Acme.SealedBlobs(Convert.FromBase64String(Key));
        var plaintext = System.Text.Encoding.ASCII.GetBytes("-----BEGIN PRIVATE KEY-----");
        var sealedBlob = seal.Seal("certificate-a.pem", plaintext);

        Assert.Equal(plaintext, seal.Open("certificate-a.pem", sealedBlob));
        Assert.DoesNotContain("PRIVATE", System.Text.Encoding.ASCII.GetString(sealedBlob), StringComparison.Ordinal);
        Assert.Null(seal.Open("certificate-b.pem", sealedBlob));
        Assert.Null(new Gatehouse.Cluster.Acme.SealedBlobs(new byte[32].Select(_ => (byte)1).ToArray()).Open("certificate-a.pem", sealedBlob));
        sealedBlob[^1] ^= 1;
        Assert.Null(seal.Open("certificate-a.pem", sealedBlob));
        Assert.Null(seal.Open("certificate-a.pem", plaintext));
        Assert.Null(seal.Open("certificate-a.pem", null));
    }
}
