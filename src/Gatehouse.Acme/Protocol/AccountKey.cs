using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Acme.Protocol;

/// <summary>
/// An ACME account key: ECDSA P-256 signing ES256 (RFC 7518 §3.4), with its JWK (RFC 7517) and the JWK thumbprint
/// (RFC 7638) that key authorizations are built from (RFC 8555 §8.1).
/// </summary>
public sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AccountKey(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("account keys are ECDSA P-256 (ES256)", nameof(key));
        }

        _key = key;
        X = Base64Url.EncodeToString(parameters.Q.X!);
        Y = Base64Url.EncodeToString(parameters.Q.Y!);
        // RFC 7638 §3: the required members in lexicographic order, no white space.
        Jwk = $$"""{"crv":"P-256","kty":"EC","x":"{{X}}","y":"{{Y}}"}""";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk)));
    }

    /// <summary>The canonical JWK JSON of the public key (also the EAB payload, RFC 8555 §7.3.4).</summary>
    public string Jwk { get; }

    /// <summary>base64url(SHA-256(canonical JWK)).</summary>
    public string Thumbprint { get; }

    internal string X { get; }

    internal string Y { get; }

    public static AccountKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return new AccountKey(key);
    }

    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The key authorization of a challenge token: token "." thumbprint (RFC 8555 §8.1).</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    /// <summary>An ES256 signature: the raw r‖s pair (RFC 7518 §3.4), which is .NET's default IEEE P1363 format.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> signingInput) =>
        _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    internal bool Verify(ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
