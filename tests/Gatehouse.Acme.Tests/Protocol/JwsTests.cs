using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gatehouse.Acme.Protocol;

namespace Gatehouse.Acme.Tests.Protocol;

public sealed class JwsTests
{
    private static readonly Uri Url = new("https://ca.example/acme/new-order");

    [Fact]
    public void Rfc8555_6_2_WithKid_HasAlgNonceUrlKid_AndAVerifyingEs256Signature()
    {
        using var key = AccountKey.Generate();

        var jws = Parse(Jws.Sign(key, Url, "nonce-1", "https://ca.example/acct/1", """{"a":1}"""));

        Assert.Equal("ES256", jws.Header.GetProperty("alg").GetString());
        Assert.Equal("nonce-1", jws.Header.GetProperty("nonce").GetString());
        Assert.Equal(Url.AbsoluteUri, jws.Header.GetProperty("url").GetString());
        Assert.Equal("https://ca.example/acct/1", jws.Header.GetProperty("kid").GetString());
        Assert.False(jws.Header.TryGetProperty("jwk", out _));
        Assert.Equal("""{"a":1}""", jws.Payload);
        Assert.Equal(64, jws.Signature.Length); // r‖s, 32 bytes each (RFC 7518 §3.4), not DER
        Assert.True(key.Verify(Encoding.ASCII.GetBytes(jws.SigningInput), jws.Signature));
    }

    [Fact]
    public void Rfc8555_7_3_NewAccount_CarriesTheJwk_NotAKid()
    {
        using var key = AccountKey.Generate();

        var jws = Parse(Jws.Sign(key, Url, "n", keyId: null, "{}"));

        var jwk = jws.Header.GetProperty("jwk");
        Assert.Equal("EC", jwk.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
        Assert.False(jws.Header.TryGetProperty("kid", out _));
    }

    [Fact]
    public void Rfc8555_6_3_PostAsGet_HasAnEmptyPayload()
    {
        using var key = AccountKey.Generate();

        var raw = JsonDocument.Parse(Jws.Sign(key, Url, "n", "kid", payload: null)).RootElement;

        Assert.Equal("", raw.GetProperty("payload").GetString());
    }

    [Fact]
    public void Rfc7638_Thumbprint_IsSha256OfTheCanonicalJwk()
    {
        using var key = AccountKey.Generate();

        // Members in lexicographic order, no white space: exactly what the thumbprint hashes.
        var jwk = JsonDocument.Parse(key.Jwk).RootElement;
        Assert.Equal(["crv", "kty", "x", "y"], jwk.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(" ", key.Jwk, StringComparison.Ordinal);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(key.Jwk))), key.Thumbprint);
        Assert.Equal("token." + key.Thumbprint, key.KeyAuthorization("token"));
    }

    [Fact]
    public void AccountKey_RoundTripsThroughPem_WithTheSameThumbprint()
    {
        using var key = AccountKey.Generate();

        using var restored = AccountKey.FromPem(key.ExportPem());

        Assert.Equal(key.Thumbprint, restored.Thumbprint);
    }

    [Fact]
    public void AccountKey_OtherThanP256_IsRefused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => AccountKey.FromPem(p384.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public void Rfc8555_7_3_4_ExternalAccountBinding_IsHs256OverTheJwk_WithEabKidAndUrl()
    {
        using var key = AccountKey.Generate();
        var macKey = RandomNumberGenerator.GetBytes(48);

        var eab = Parse(Jws.ExternalAccountBinding(key, "kid-1", Base64Url.EncodeToString(macKey), Url));

        Assert.Equal("HS256", eab.Header.GetProperty("alg").GetString());
        Assert.Equal("kid-1", eab.Header.GetProperty("kid").GetString());
        Assert.Equal(Url.AbsoluteUri, eab.Header.GetProperty("url").GetString());
        Assert.False(eab.Header.TryGetProperty("nonce", out _)); // RFC 8555 §7.3.4: no nonce in the inner JWS
        Assert.Equal(key.Jwk, eab.Payload);
        Assert.Equal(HMACSHA256.HashData(macKey, Encoding.ASCII.GetBytes(eab.SigningInput)), eab.Signature);
    }

    [Fact]
    public void Jws_Members_AreWrittenInTheSameOrderAndEscaping_AsBefore()
    {
        using var key = AccountKey.Generate();
        var url = new Uri("https://ca.example/acme/new-acct?a=1&b=2");

        var eab = Jws.ExternalAccountBinding(key, "kid+1", Base64Url.EncodeToString([1, 2, 3]), url);

        // The bytes signed are the bytes sent; the serializer's default escaping ('&' and '+' as \u00XX) is kept.
        var root = JsonDocument.Parse(eab).RootElement;
        Assert.Equal(["protected", "payload", "signature"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"alg":"HS256","kid":"kid\u002B1","url":"https://ca.example/acme/new-acct?a=1\u0026b=2"}""",
            Encoding.UTF8.GetString(Base64Url.DecodeFromChars(root.GetProperty("protected").GetString()!)));
        Assert.StartsWith("""{"protected":""", eab, StringComparison.Ordinal);
        Assert.Equal(["protected", "payload", "signature"], JsonDocument.Parse(Jws.Sign(key, Url, "n", "kid", "{}")).RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void ExternalAccountBinding_AcceptsPaddedAndStandardBase64Keys()
    {
        var macKey = RandomNumberGenerator.GetBytes(32); // 32 bytes: padding and '+'/'/' likely in standard base64

        Assert.Equal(macKey, Jws.DecodeBase64UrlLenient(Convert.ToBase64String(macKey)));
        Assert.Equal(macKey, Jws.DecodeBase64UrlLenient(Base64Url.EncodeToString(macKey)));
        Assert.Throws<ArgumentException>(() => Jws.DecodeBase64UrlLenient("not base64 !"));
    }

    private static (JsonElement Header, string Payload, byte[] Signature, string SigningInput) Parse(string jws)
    {
        var root = JsonDocument.Parse(jws).RootElement;
        var header = root.GetProperty("protected").GetString()!;
        var payload = root.GetProperty("payload").GetString()!;
        return (JsonDocument.Parse(Base64Url.DecodeFromChars(header)).RootElement,
            Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload)),
            Base64Url.DecodeFromChars(root.GetProperty("signature").GetString()!),
            header + "." + payload);
    }
}
