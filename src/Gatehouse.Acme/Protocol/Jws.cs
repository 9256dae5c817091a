using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Acme.Protocol;

/// <summary>
/// The flattened JWS JSON serialization of ACME requests (RFC 8555 §6.2): protected header with alg, nonce, url and
/// either "jwk" (newAccount) or "kid" (everything after registration). Pure: nothing here touches the network.
/// </summary>
public static class Jws
{
    /// <summary>Signs <paramref name="payload"/> (null = POST-as-GET, an empty payload) with the account key.</summary>
    public static string Sign(AccountKey key, Uri url, string? nonce, string? keyId, string? payload)
    {
        var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "ES256");
            if (keyId is null)
            {
                writer.WritePropertyName("jwk");
                writer.WriteRawValue(key.Jwk);
            }
            else
            {
                writer.WriteString("kid", keyId);
            }

            if (nonce is not null)
            {
                writer.WriteString("nonce", nonce);
            }

            writer.WriteString("url", url.AbsoluteUri);
            writer.WriteEndObject();
        }

        return Serialize(header.ToArray(), payload, key.Sign);
    }

    /// <summary>
    /// The External Account Binding (RFC 8555 §7.3.4): a JWS over the account's JWK, MACed with HS256 under the key
    /// the CA handed out, naming the CA's key id and the newAccount URL. The result goes into newAccount's
    /// "externalAccountBinding" member as a JSON object.
    /// </summary>
    public static string ExternalAccountBinding(AccountKey key, string eabKeyId, string eabHmacKeyBase64Url, Uri newAccountUrl)
    {
        var macKey = DecodeBase64UrlLenient(eabHmacKeyBase64Url);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = "HS256",
            ["kid"] = eabKeyId,
            ["url"] = newAccountUrl.AbsoluteUri,
        }, JwsJsonContext.Default.DictionaryStringString);
        return Serialize(header, key.Jwk, input => HMACSHA256.HashData(macKey, input));
    }

    /// <summary>Decodes base64url with or without padding; CAs hand EAB keys out in either form.</summary>
    public static byte[] DecodeBase64UrlLenient(string value)
    {
        var trimmed = value.Trim().TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            return Base64Url.DecodeFromChars(trimmed);
        }
        catch (FormatException e)
        {
            throw new ArgumentException("the EAB HMAC key is not base64url", nameof(value), e);
        }
    }

    private delegate byte[] Signer(ReadOnlySpan<byte> signingInput);

    private static string Serialize(byte[] protectedHeader, string? payload, Signer sign)
    {
        var encodedHeader = Base64Url.EncodeToString(protectedHeader);
        var encodedPayload = payload is null ? "" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var signature = sign(Encoding.ASCII.GetBytes(encodedHeader + "." + encodedPayload));
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["protected"] = encodedHeader,
            ["payload"] = encodedPayload,
            ["signature"] = Base64Url.EncodeToString(signature),
        }, JwsJsonContext.Default.DictionaryStringString);
    }
}
