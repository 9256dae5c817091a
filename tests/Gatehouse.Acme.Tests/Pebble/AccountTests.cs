using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Pebble;

/// <summary>newAccount with External Account Binding against a Pebble that requires it (RFC 8555 §7.3.4).</summary>
public sealed class AccountTests(EabPebbleFixture fixture) : IClassFixture<EabPebbleFixture>, IDisposable
{
    private readonly HttpClient _http = AcmeHttp.CreateClient(fixture.Pebble.CaBundlePath);

    [Fact]
    public async Task NewAccount_WithExternalAccountBinding_IsValid()
    {
        using var key = AccountKey.Generate();
        var client = new AcmeClient(_http, fixture.Pebble.DirectoryUrl, key);

        var directory = await client.GetDirectoryAsync(TestContext.Current.CancellationToken);
        var account = await client.NewAccountAsync(
            new AcmeAccountRequest(true, ["admin@gatehouse.test"], EabPebbleFixture.KeyId, EabPebbleFixture.HmacKey), TestContext.Current.CancellationToken);

        Assert.True(directory.ExternalAccountRequired);
        Assert.Equal(AcmeStatus.Valid, account.Status);
        Assert.Equal(account.Url, client.AccountUrl);
    }

    [Fact]
    public async Task NewAccount_WithoutBinding_IsRefusedWithTheCasProblem()
    {
        using var key = AccountKey.Generate();
        var client = new AcmeClient(_http, fixture.Pebble.DirectoryUrl, key);

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.NewAccountAsync(new AcmeAccountRequest(true), TestContext.Current.CancellationToken));

        Assert.Equal(AcmeProblemTypes.Prefix + "externalAccountRequired", error.Problem?.Type);
        Assert.Null(client.AccountUrl);
    }

    [Fact]
    public async Task NewAccount_WithWrongHmacKey_IsRefused()
    {
        using var key = AccountKey.Generate();
        var client = new AcmeClient(_http, fixture.Pebble.DirectoryUrl, key);
        var wrongKey = System.Buffers.Text.Base64Url.EncodeToString(new byte[48]);

        var error = await Assert.ThrowsAsync<AcmeException>(() => client.NewAccountAsync(
            new AcmeAccountRequest(true, null, EabPebbleFixture.KeyId, wrongKey), TestContext.Current.CancellationToken));

        Assert.NotNull(error.Problem);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, error.HttpStatus);
        Assert.Equal(AcmeProblemTypes.Prefix + "unauthorized", error.Problem.Type);
    }

    [Fact]
    public async Task Manager_WithEab_RegistersAndObtainsACertificate()
    {
        var store = Directory.CreateTempSubdirectory("gatehouse-acme-store-").FullName;
        try
        {
            await using var harness = new ManagerHarness(fixture, AcmeOptions.ForHosts("eab.gatehouse.test") with
            {
                EabKeyId = EabPebbleFixture.KeyId, EabHmacKey = EabPebbleFixture.HmacKey, Email = ["admin@gatehouse.test"],
            }, store);
            await harness.Manager.StartAsync(TestContext.Current.CancellationToken);

            var certificate = await harness.NextPublishedAsync();

            await ManagerHarness.AssertChainsToPebbleRootAsync(fixture, certificate);
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    public void Dispose() => _http.Dispose();
}
