namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>One challenge server and one Pebble behind it, started once per test class.</summary>
public class PebbleFixture : IAsyncLifetime
{
    public ChallengeServer Server { get; private set; } = null!;

    public Pebble Pebble { get; private set; } = null!;

    protected virtual PebbleSettings Settings => new();

    public async ValueTask InitializeAsync()
    {
        Server = await ChallengeServer.StartAsync();
        Pebble = await Pebble.StartAsync(Server.HttpPort, Server.TlsPort, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (Pebble is not null)
        {
            await Pebble.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>A Pebble that requires External Account Binding, with the keys of Pebble's example configuration.</summary>
public sealed class EabPebbleFixture : PebbleFixture
{
    public const string KeyId = "kid-1";
    public const string HmacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

    protected override PebbleSettings Settings => new()
    {
        ExternalAccountMacKeys = new Dictionary<string, string> { [KeyId] = HmacKey },
    };
}
