using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Acme.Certificates;
using Gatehouse.Acme.Protocol;

namespace Gatehouse.Acme;

/// <summary>What newAccount sends (RFC 8555 §7.3).</summary>
public sealed record AcmeAccountRequest(
    bool TermsOfServiceAgreed,
    IReadOnlyList<string>? Contact = null,
    string? EabKeyId = null,
    string? EabHmacKey = null);

/// <summary>A downloaded certificate chain (PEM, leaf first) and the alternate chains the server linked to.</summary>
public sealed record AcmeCertificateChain(string Pem, IReadOnlyList<string> AlternatePems);

/// <summary>
/// An RFC 8555 client for one directory and one account key. Every request after newAccount is signed with the
/// account URL ("kid"); nonces are kept from each response and a badNonce rejection is retried with the fresh nonce the
/// error carried. Failures become <see cref="AcmeException"/>. Not thread-safe for concurrent orders of one instance
/// beyond what HttpClient allows: the nonce is shared, so a lost race only costs a badNonce retry.
/// </summary>
public sealed class AcmeClient
{
    private const string JoseJson = "application/jose+json";
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Uri _directoryUrl;
    private AcmeDirectory? _directory;
    private string? _nonce;

    public AcmeClient(HttpClient http, Uri directoryUrl, AccountKey accountKey, TimeProvider? timeProvider = null)
    {
        _http = http;
        _directoryUrl = directoryUrl;
        AccountKey = accountKey;
        _time = timeProvider ?? TimeProvider.System;
    }

    public AccountKey AccountKey { get; }

    /// <summary>The account URL ("kid"); set by <see cref="NewAccountAsync"/> or restored from storage.</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>How many times a request rejected with badNonce is re-sent with a fresh nonce (RFC 8555 §6.5).</summary>
    public int BadNonceRetries { get; init; } = 5;

    /// <summary>The longest one poll waits when the server gives no Retry-After.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first poll interval, doubled on each poll without Retry-After up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public async Task<AcmeDirectory> GetDirectoryAsync(CancellationToken cancellationToken = default)
    {
        if (_directory is not null)
        {
            return _directory;
        }

        using var response = await _http.GetAsync(_directoryUrl, cancellationToken);
        await EnsureSuccessAsync(response, "GET directory", cancellationToken);
        _directory = AcmeJsonReader.Directory(await response.Content.ReadAsStringAsync(cancellationToken));
        return _directory;
    }

    /// <summary>
    /// Registers the account key, or finds the account it already has (the server answers 200 then): sets
    /// <see cref="AccountUrl"/>. With an EAB key id and HMAC key the request carries an External Account Binding.
    /// </summary>
    public async Task<AcmeAccount> NewAccountAsync(AcmeAccountRequest request, CancellationToken cancellationToken = default)
    {
        var directory = await GetDirectoryAsync(cancellationToken);
        var payload = new JsonObject { ["termsOfServiceAgreed"] = request.TermsOfServiceAgreed };
        if (request.Contact is { Count: > 0 } contact)
        {
            payload["contact"] = new JsonArray(contact.Select(c => (JsonNode)JsonValue.Create(c.Contains(':', StringComparison.Ordinal) ? c : "mailto:" + c)).ToArray());
        }

        if (request.EabKeyId is not null && request.EabHmacKey is not null)
        {
            payload["externalAccountBinding"] = JsonNode.Parse(Jws.ExternalAccountBinding(AccountKey, request.EabKeyId, request.EabHmacKey, directory.NewAccount));
        }

        using var response = await PostAsync(directory.NewAccount, payload.ToJsonString(), useJwk: true, cancellationToken);
        var location = response.Headers.Location ?? throw new AcmeException("newAccount answered without a Location header");
        AccountUrl = location;
        return await ReadAccountAsync(response, location, cancellationToken);
    }

    public async Task<AcmeAccount> GetAccountAsync(CancellationToken cancellationToken = default)
    {
        var url = AccountUrl ?? throw new InvalidOperationException("no account yet: call NewAccountAsync first");
        using var response = await PostAsync(url, null, useJwk: false, cancellationToken);
        return await ReadAccountAsync(response, url, cancellationToken);
    }

    /// <summary>The account's orders (RFC 8555 §7.1.2.1), following "next" links.</summary>
    public async Task<IReadOnlyList<Uri>> ListOrdersAsync(CancellationToken cancellationToken = default)
    {
        var account = await GetAccountAsync(cancellationToken);
        var orders = new List<Uri>();
        var next = account.Orders;
        for (var page = 0; next is not null && page < 100; page++)
        {
            using var response = await PostAsync(next, null, useJwk: false, cancellationToken);
            orders.AddRange(AcmeJsonReader.OrderList(await response.Content.ReadAsStringAsync(cancellationToken)));

            next = Links(response, "next").FirstOrDefault();
        }

        return orders;
    }

    /// <summary>newOrder for DNS (or IP) identifiers; <paramref name="replaces"/> is the ARI id of the certificate renewed.</summary>
    public async Task<AcmeOrder> NewOrderAsync(IEnumerable<string> hosts, string? replaces = null, CancellationToken cancellationToken = default)
    {
        var directory = await GetDirectoryAsync(cancellationToken);
        var payload = new JsonObject
        {
            ["identifiers"] = new JsonArray(hosts.Select(h => (JsonNode)new JsonObject
            {
                ["type"] = IPAddress.TryParse(h, out _) ? "ip" : "dns",
                ["value"] = h,
            }).ToArray()),
        };
        if (replaces is not null)
        {
            payload["replaces"] = replaces;
        }

        using var response = await PostAsync(directory.NewOrder, payload.ToJsonString(), useJwk: false, cancellationToken);
        var location = response.Headers.Location ?? throw new AcmeException("newOrder answered without a Location header");
        return AcmeJsonReader.Order(await response.Content.ReadAsStringAsync(cancellationToken), location);
    }

    public async Task<AcmeOrder> GetOrderAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(url, null, useJwk: false, cancellationToken);
        return AcmeJsonReader.Order(await response.Content.ReadAsStringAsync(cancellationToken), url);
    }

    public async Task<AcmeAuthorization> GetAuthorizationAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(url, null, useJwk: false, cancellationToken);
        return AcmeJsonReader.Authorization(await response.Content.ReadAsStringAsync(cancellationToken), url);
    }

    /// <summary>Tells the server the challenge is ready to be validated (an empty JSON object, RFC 8555 §7.5.1).</summary>
    public async Task<AcmeChallenge> AnswerChallengeAsync(Uri url, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(url, "{}", useJwk: false, cancellationToken);
        return AcmeJsonReader.Challenge(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Polls an authorization until it is no longer pending (RFC 8555 §7.5.1), honouring Retry-After.</summary>
    public async Task<AcmeAuthorization> WaitForAuthorizationAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        var interval = InitialPollInterval;
        while (true)
        {
            using var response = await PostAsync(url, null, useJwk: false, cancellationToken);
            var authorization = AcmeJsonReader.Authorization(await response.Content.ReadAsStringAsync(cancellationToken), url);
            if (authorization.Status != AcmeStatus.Pending)
            {
                return authorization;
            }

            interval = await PauseAsync(response, interval, deadline, $"authorization {url} still pending", cancellationToken);
        }
    }

    /// <summary>Polls an order until its status is one of <paramref name="until"/> or invalid, honouring Retry-After.</summary>
    public async Task<AcmeOrder> WaitForOrderAsync(Uri url, IReadOnlyCollection<string> until, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        var interval = InitialPollInterval;
        while (true)
        {
            using var response = await PostAsync(url, null, useJwk: false, cancellationToken);
            var order = AcmeJsonReader.Order(await response.Content.ReadAsStringAsync(cancellationToken), url);
            if (order.Status == AcmeStatus.Invalid || until.Contains(order.Status))
            {
                return order;
            }

            interval = await PauseAsync(response, interval, deadline, $"order {url} is {order.Status}", cancellationToken);
        }
    }

    /// <summary>Finalizes a ready order with a DER CSR (RFC 8555 §7.4).</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csrDer, CancellationToken cancellationToken = default)
    {
        var payload = new JsonObject { ["csr"] = System.Buffers.Text.Base64Url.EncodeToString(csrDer) }.ToJsonString();
        using var response = await PostAsync(order.Finalize, payload, useJwk: false, cancellationToken);
        return AcmeJsonReader.Order(await response.Content.ReadAsStringAsync(cancellationToken), order.Url);
    }

    /// <summary>Downloads the PEM chain (RFC 8555 §7.4.2), and the alternate chains when asked.</summary>
    public async Task<AcmeCertificateChain> DownloadCertificateAsync(Uri url, bool includeAlternates = false, CancellationToken cancellationToken = default)
    {
        using var response = await PostAsync(url, null, useJwk: false, cancellationToken, accept: "application/pem-certificate-chain");
        var pem = await response.Content.ReadAsStringAsync(cancellationToken);
        var alternates = new List<string>();
        if (includeAlternates)
        {
            foreach (var alternate in Links(response, "alternate"))
            {
                using var alternateResponse = await PostAsync(alternate, null, useJwk: false, cancellationToken, accept: "application/pem-certificate-chain");
                alternates.Add(await alternateResponse.Content.ReadAsStringAsync(cancellationToken));
            }
        }

        return new AcmeCertificateChain(pem, alternates);
    }

    /// <summary>
    /// The CA's suggested renewal window for a certificate (RFC 9773 §4.2), or null when the directory has no
    /// renewalInfo. An unauthenticated GET; its Retry-After says when to ask again.
    /// </summary>
    public async Task<AcmeRenewalInfo?> GetRenewalInfoAsync(X509Certificate2 certificate, CancellationToken cancellationToken = default)
    {
        var directory = await GetDirectoryAsync(cancellationToken);
        if (directory.RenewalInfo is null)
        {
            return null;
        }

        var url = new Uri(directory.RenewalInfo.AbsoluteUri.TrimEnd('/') + "/" + AcmeCertificateId.For(certificate));
        using var response = await _http.GetAsync(url, cancellationToken);
        await EnsureSuccessAsync(response, "GET renewalInfo", cancellationToken);
        return ParseRenewalInfo(await response.Content.ReadAsStringAsync(cancellationToken), RetryAfter(response, _time.GetUtcNow()));
    }

    internal static AcmeRenewalInfo ParseRenewalInfo(string json, TimeSpan? retryAfter) => AcmeJsonReader.RenewalInfo(json, retryAfter);

    /// <summary>Retry-After as delay seconds or an HTTP date (RFC 9110 §10.2.3), relative to <paramref name="now"/>.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private async Task<TimeSpan> PauseAsync(HttpResponseMessage response, TimeSpan interval, DateTimeOffset deadline, string what, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wait = RetryAfter(response, now) ?? interval;
        if (now + wait > deadline)
        {
            throw new AcmeException($"timed out: {what}");
        }

        await Task.Delay(wait, _time, cancellationToken);
        var doubled = interval * 2;
        return doubled > MaxPollInterval ? MaxPollInterval : doubled;
    }

    private async Task<HttpResponseMessage> PostAsync(Uri url, string? payload, bool useJwk, CancellationToken cancellationToken, string? accept = null)
    {
        if (!useJwk && AccountUrl is null)
        {
            throw new InvalidOperationException("no account yet: call NewAccountAsync first");
        }

        for (var attempt = 0; ; attempt++)
        {
            var nonce = Interlocked.Exchange(ref _nonce, null) ?? await NewNonceAsync(cancellationToken);
            var body = Jws.Sign(AccountKey, url, nonce, useJwk ? null : AccountUrl!.AbsoluteUri, payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            var response = await _http.SendAsync(request, cancellationToken);
            KeepNonce(response);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var error = await ToExceptionAsync(response, "POST " + url, cancellationToken);
                if (error.Problem?.Type != AcmeProblemTypes.BadNonce || attempt >= BadNonceRetries)
                {
                    throw error;
                }
            }
        }
    }

    private async Task<string> NewNonceAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await _http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "HEAD newNonce", cancellationToken);
        return response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce
            ? nonce
            : throw new AcmeException("newNonce answered without a Replay-Nonce header");
    }

    private void KeepNonce(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce)
        {
            Volatile.Write(ref _nonce, nonce);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, what, cancellationToken);
        }
    }

    private async Task<AcmeException> ToExceptionAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        AcmeProblem? problem = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            problem = AcmeJsonReader.Problem(text); // null when it is not a problem document after all: the status alone
        }

        return new AcmeException($"{what} failed with {(int)response.StatusCode}", problem, response.StatusCode, RetryAfter(response, _time.GetUtcNow()));
    }

    private static async Task<AcmeAccount> ReadAccountAsync(HttpResponseMessage response, Uri url, CancellationToken cancellationToken) =>
        AcmeJsonReader.Account(await response.Content.ReadAsStringAsync(cancellationToken), url);

    private static IEnumerable<Uri> Links(HttpResponseMessage response, string relation)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            yield break;
        }

        foreach (var value in values.SelectMany(v => v.Split(',')))
        {
            var parts = value.Split(';', StringSplitOptions.TrimEntries);
            if (parts[0].StartsWith('<') && parts[0].EndsWith('>')
                && parts.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal).Equals($"rel=\"{relation}\"", StringComparison.OrdinalIgnoreCase) || p.Equals("rel=" + relation, StringComparison.OrdinalIgnoreCase))
                && Uri.TryCreate(response.RequestMessage!.RequestUri!, parts[0][1..^1], out var link)) // a link that is no URI is no link
            {
                yield return link;
            }
        }
    }
}
