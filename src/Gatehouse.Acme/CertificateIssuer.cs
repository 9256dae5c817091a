using System.Text;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Protocol;
using Gatehouse.Acme.Storage;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Acme;

/// <summary>
/// One order from newOrder to the stored certificate: account (created once, reused from the store), authorizations
/// answered through <see cref="AcmeChallengeResponses"/>, CSR, finalize, download.
/// </summary>
internal sealed class CertificateIssuer(
    AcmeOptions options,
    IAcmeStore store,
    AcmeChallengeResponses challenges,
    HttpClient http,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private static readonly string[] Ready = [AcmeStatus.Ready, AcmeStatus.Valid];
    private static readonly string[] Issued = [AcmeStatus.Valid];
    private readonly SemaphoreSlim _accountGate = new(1, 1);
    private AcmeClient? _client;

    public async Task<AcmeClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_client is not null)
        {
            return _client;
        }

        await _accountGate.WaitAsync(cancellationToken);
        try
        {
            if (_client is not null)
            {
                return _client;
            }

            var directory = options.DirectoryUrl;
            await using var accountLock = await store.LockAsync(AcmeStoreNames.AccountLock(directory), cancellationToken);
            var keyPem = await store.ReadAsync(AcmeStoreNames.AccountKey(directory), cancellationToken);
            AccountKey key;
            if (keyPem is null)
            {
                key = AccountKey.Generate();
                await store.WriteAsync(AcmeStoreNames.AccountKey(directory), Encoding.UTF8.GetBytes(key.ExportPem()), cancellationToken);
                logger.LogInformation("ACME: created an account key for {Directory}", directory);
            }
            else
            {
                key = AccountKey.FromPem(Encoding.UTF8.GetString(keyPem));
            }

            var client = new AcmeClient(http, directory, key, TimeProvider.System);
            var accountUrl = await store.ReadAsync(AcmeStoreNames.AccountUrl(directory), cancellationToken);
            if (accountUrl is not null && Uri.TryCreate(Encoding.UTF8.GetString(accountUrl).Trim(), UriKind.Absolute, out var url))
            {
                client.AccountUrl = url;
            }
            else
            {
                var account = await client.NewAccountAsync(
                    new AcmeAccountRequest(options.AcceptTermsOfService, options.Email, options.EabKeyId, options.EabHmacKey), cancellationToken);
                await store.WriteAsync(AcmeStoreNames.AccountUrl(directory), Encoding.UTF8.GetBytes(account.Url.AbsoluteUri), cancellationToken);
                logger.LogInformation("ACME: registered account {Account} at {Directory}", account.Url, directory);
            }

            _client = client;
            return client;
        }
        finally
        {
            _accountGate.Release();
        }
    }

    /// <summary>Orders, validates and downloads a certificate for <paramref name="request"/>, and stores it.</summary>
    public async Task<AcmeCertificate> IssueAsync(AcmeCertificateRequest request, AcmeCertificate? replacing, CancellationToken cancellationToken)
    {
        var client = await GetClientAsync(cancellationToken);
        var directory = await client.GetDirectoryAsync(cancellationToken);
        var replaces = replacing is not null && directory.RenewalInfo is not null ? TryCertificateId(replacing) : null;
        AcmeOrder order;
        try
        {
            order = await client.NewOrderAsync(request.Hosts, replaces, cancellationToken);
        }
        catch (AcmeException e) when (replaces is not null && e.Problem?.Type is AcmeProblemTypes.AlreadyReplaced)
        {
            // Another order already replaces it (e.g. an earlier attempt that failed later): order afresh.
            order = await client.NewOrderAsync(request.Hosts, null, cancellationToken);
        }

        logger.LogInformation("ACME: order {Order} for {Hosts}", order.Url, string.Join(", ", request.Hosts));
        foreach (var authorizationUrl in order.Authorizations)
        {
            await AuthorizeAsync(client, authorizationUrl, cancellationToken);
        }

        order = await client.WaitForOrderAsync(order.Url, Ready, options.OrderTimeout, cancellationToken);
        ThrowIfInvalid(order);
        using var key = CertificateSigningRequest.CreateKey(options.KeyType);
        if (order.Status == AcmeStatus.Ready)
        {
            order = await client.FinalizeAsync(order, CertificateSigningRequest.Create(request.Hosts, key), cancellationToken);
        }

        order = await client.WaitForOrderAsync(order.Url, Issued, options.OrderTimeout, cancellationToken);
        ThrowIfInvalid(order);
        var download = await client.DownloadCertificateAsync(
            order.Certificate ?? throw new AcmeException($"order {order.Url} is valid without a certificate URL"),
            includeAlternates: false, cancellationToken);
        var stored = AcmeCertificate.Encode(CertificateSigningRequest.ExportPrivateKeyPem(key), download.Pem);
        var certificate = AcmeCertificate.Decode(request.Name, request.Hosts, stored, AcmeCertificateSource.Issued);
        await store.WriteAsync(AcmeStoreNames.Certificate(request.Name), stored, cancellationToken);
        return certificate;
    }

    private async Task AuthorizeAsync(AcmeClient client, Uri url, CancellationToken cancellationToken)
    {
        var authorization = await client.GetAuthorizationAsync(url, cancellationToken);
        if (authorization.Status == AcmeStatus.Valid)
        {
            return; // reused from an earlier order (RFC 8555 §7.1.3 lets servers do that)
        }

        if (authorization.Status != AcmeStatus.Pending)
        {
            throw new AcmeException($"authorization for {authorization.Identifier.Value} is {authorization.Status}");
        }

        var challenge = options.ChallengeTypes
            .Select(type => authorization.Challenges.FirstOrDefault(c => c.Type == type && c.Token is not null))
            .FirstOrDefault(c => c is not null)
            ?? throw new AcmeException($"the CA offers none of {string.Join(", ", options.ChallengeTypes)} for {authorization.Identifier.Value} " +
                $"(it offers {string.Join(", ", authorization.Challenges.Select(c => c.Type))})");
        var host = authorization.Identifier.Value;
        var keyAuthorization = client.AccountKey.KeyAuthorization(challenge.Token!);
        if (challenge.Type == AcmeChallengeTypes.Http01)
        {
            await challenges.AddHttp01Async(challenge.Token!, keyAuthorization);
        }
        else
        {
            await challenges.AddTlsAlpn01Async(host, TlsAlpn01.CreateCertificate(host, keyAuthorization, time.GetUtcNow()));
        }

        try
        {
            await client.AnswerChallengeAsync(challenge.Url, cancellationToken);
            authorization = await client.WaitForAuthorizationAsync(url, options.OrderTimeout, cancellationToken);
            if (authorization.Status != AcmeStatus.Valid)
            {
                var failed = authorization.Challenges.FirstOrDefault(c => c.Url == challenge.Url);
                throw new AcmeException($"{challenge.Type} for {host} failed: authorization is {authorization.Status}", failed?.Error);
            }

            logger.LogInformation("ACME: {Host} validated with {Challenge}", host, challenge.Type);
        }
        finally
        {
            if (challenge.Type == AcmeChallengeTypes.Http01)
            {
                await challenges.RemoveHttp01Async(challenge.Token!);
            }
            else
            {
                await challenges.RemoveTlsAlpn01Async(host);
            }
        }
    }

    public void Dispose()
    {
        _accountGate.Dispose();
        _client?.AccountKey.Dispose();
    }

    private static void ThrowIfInvalid(AcmeOrder order)
    {
        if (order.Status == AcmeStatus.Invalid)
        {
            throw new AcmeException($"order {order.Url} is invalid", order.Error);
        }
    }

    private static string? TryCertificateId(AcmeCertificate certificate)
    {
        try
        {
            return AcmeCertificateId.For(certificate.Certificate);
        }
        catch (ArgumentException)
        {
            return null; // no AKI: cannot name it, order without "replaces"
        }
    }
}
