namespace Gatehouse.Acme.Tests;

public sealed class AcmeOptionsValidatorTests
{
    private static readonly AcmeOptions Good = AcmeOptions.ForHosts("www.gatehouse.test", "api.gatehouse.test") with
    {
        AcceptTermsOfService = true,
        Email = ["admin@gatehouse.test"],
    };

    [Fact]
    public void GoodOptions_HaveNoErrors()
    {
        Assert.Empty(AcmeOptionsValidator.Validate(Good));
        Assert.Empty(AcmeOptionsValidator.Validate(Good with { EabKeyId = "kid", EabHmacKey = "c2VjcmV0" }));
    }

    [Fact]
    public void EveryProblem_IsReported_WithItsPath()
    {
        var errors = AcmeOptionsValidator.Validate(new AcmeOptions
        {
            DirectoryUrl = new Uri("http://ca.example/directory"),
            EabKeyId = "kid",
            Email = ["not-an-address"],
            ChallengeTypes = ["dns-01"],
            Certificates = [new(["*.gatehouse.test"]), new(["bad_name.test", "localhost"]), new([]), new(["WWW.gatehouse.test"]), new(["www.gatehouse.test"])],
            OrderTimeout = TimeSpan.Zero,
            Renewal = new RenewalPolicy { RenewAtFractionOfLifetime = 1.5 },
        }).Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("directoryUrl: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("acceptTermsOfService: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("eabHmacKey: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("email[0]: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("challengeTypes[0]: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("certificates[0].hosts[0]: wildcard", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("certificates[1].hosts[0]: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("certificates[1].hosts[1]: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("certificates[2].hosts: ", StringComparison.Ordinal));
        Assert.Contains("certificates[4].hosts[0]: 'www.gatehouse.test' is already in certificates[3].hosts[0]", errors);
        Assert.Contains(errors, e => e.StartsWith("orderTimeout: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("renewal.renewAtFractionOfLifetime: ", StringComparison.Ordinal));
        Assert.Equal(12, errors.Count);
    }

    [Fact]
    public void IpIdentifiers_AndLoopbackHttpDirectories_AreAccepted()
    {
        Assert.Empty(AcmeOptionsValidator.Validate(Good with
        {
            DirectoryUrl = new Uri("http://127.0.0.1:14000/dir"),
            Certificates = [new(["192.0.2.10"])],
        }));
    }
}
