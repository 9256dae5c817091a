using Gatehouse.Admin;
using Gatehouse.Cli;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class ClusterModeValidationTests
{
    private static List<string> Errors(ClusterModeDefinition cluster) =>
        ConfigValidator.Validate(SampleConfig.Valid() with { Cluster = cluster }).Select(e => e.ToString()).ToList();

    [Fact]
    public void NoClusterSection_IsValid_AndTheNodeWorksAlone()
    {
        Assert.Null(SampleConfig.Valid().Cluster);
        Assert.Empty(ConfigValidator.Validate(SampleConfig.Valid()));
    }

    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("10.0.0.5:6379,10.0.0.6:6379,password=s3cret,ssl=true,defaultDatabase=2")]
    [InlineData("sentinel1:26379,sentinel2:26379,serviceName=mymaster,user=gatehouse,password=pw")]
    [InlineData("redis.internal:6380,ssl=true,sslHost=redis.example.com,asyncTimeout=250")]
    public void RedisConfigurationStrings_AreValid(string redis)
    {
        Assert.Empty(Errors(new ClusterModeDefinition { Redis = redis }));
    }

    [Fact]
    public void MissingRedis_IsRequired()
    {
        Assert.Contains(Errors(new ClusterModeDefinition()), e => e.StartsWith("cluster.redis: required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1:6379,colour=blue")]
    [InlineData("password=only")]
    [InlineData("127.0.0.1:6379,defaultDatabase=many")]
    public void BadRedisConfigurationStrings_AreNamedWithTheirPath(string redis)
    {
        Assert.Contains(Errors(new ClusterModeDefinition { Redis = redis }), e => e.StartsWith("cluster.redis: not a Redis configuration string", StringComparison.Ordinal));
    }

    [Fact]
    public void EmptyKeyPrefix_AndBadNodeName_AreEachReported()
    {
        var errors = Errors(new ClusterModeDefinition { Redis = "127.0.0.1:6379", KeyPrefix = "", NodeName = "node one" });

        Assert.Contains(errors, e => e.StartsWith("cluster.keyPrefix: must not be empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cluster.nodeName: 'node one' is not", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyPrefixWithWhiteSpace_IsRefused()
    {
        Assert.Contains(Errors(new ClusterModeDefinition { Redis = "127.0.0.1:6379", KeyPrefix = "shop 1:" }), e => e.StartsWith("cluster.keyPrefix:", StringComparison.Ordinal));
    }

    [Fact]
    public void ClusterSection_IsReadFromJson_WithDefaults_AndMisspellingsNamed()
    {
        var result = ConfigLoader.Parse("""
            { "listeners": [ { "port": 8080 } ], "cluster": { "redis": "127.0.0.1:6379", "nodeNmae": "a" } }
            """);

        Assert.Contains(result.Errors.Concat(result.Config is null ? [] : ConfigValidator.Validate(result.Config)), e => e.Path == "cluster.nodeNmae");
        var valid = ConfigLoader.Parse("""
            { "listeners": [ { "port": 8080 } ], "cluster": { "redis": "127.0.0.1:6379" } }
            """);
        Assert.Equal("127.0.0.1:6379", valid.Config!.Cluster!.Redis);
        Assert.Equal("gatehouse:", valid.Config.Cluster.KeyPrefix);
        Assert.Null(valid.Config.Cluster.NodeName);
    }

    [Fact]
    public void QuickMode_Redis_JoinsACluster_AndABadValueIsNamedAsTheFlag()
    {
        var joined = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001"], null, cache: true, redis: "127.0.0.1:6379");
        Assert.Equal("127.0.0.1:6379", joined.Config!.Cluster!.Redis);

        var bad = QuickConfig.Build("http://127.0.0.1:8080", ["http://127.0.0.1:5001"], null, redis: "127.0.0.1:6379,colour=blue");
        Assert.Null(bad.Config);
        Assert.Contains(bad.Errors, e => e.Path == "--redis");
    }

    [Fact]
    public void EffectiveConfig_RedactsTheRedisPassword()
    {
        var config = SampleConfig.Valid() with { Cluster = new ClusterModeDefinition { Redis = "10.0.0.5:6379,password=s3cret,ssl=true" } };

        var shown = ConfigRedaction.Redact(config)["cluster"]!["redis"]!.GetValue<string>();

        Assert.Equal("10.0.0.5:6379,password=[redacted],ssl=true", shown);
    }
}
