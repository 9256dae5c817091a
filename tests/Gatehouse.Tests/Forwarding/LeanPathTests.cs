using System.Net;
using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Http1;
using Gatehouse.Upstream;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Tests.Forwarding;

public sealed class LeanPathTests
{
    [Theory]
    [InlineData("http://10.0.0.1:8080", true)]
    [InlineData("HTTP://backend", true)]
    [InlineData("https://10.0.0.1", false)]
    public void OnlyCleartextDestinations_TakeTheLeanPath(string prefix, bool lean) =>
        Assert.Equal(lean, LeanPath.IsCleartextHttp(prefix));

    [Theory]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionOrLower, true)]
    [InlineData("1.1", HttpVersionPolicy.RequestVersionExact, true)]
    [InlineData("1.0", HttpVersionPolicy.RequestVersionOrLower, false)] // HttpClient would send HTTP/1.0
    [InlineData("2.0", HttpVersionPolicy.RequestVersionOrLower, true)] // no ALPN over cleartext: HTTP/1.1
    [InlineData("2.0", HttpVersionPolicy.RequestVersionExact, false)] // h2c
    [InlineData("3.0", HttpVersionPolicy.RequestVersionOrHigher, false)]
    public void TheClustersVersion_DecidesWhetherHttp11IsWhatHttpClientWouldSend(string version, HttpVersionPolicy policy, bool lean) =>
        Assert.Equal(lean, LeanPath.AllowsHttp11(Version.Parse(version), policy));

    [Fact]
    public void NoVersionSet_IsYarpsDefault_Http2OrLower_SoHttp11() => Assert.True(LeanPath.AllowsHttp11(null, null));

    [Fact]
    public void AnUpgradeOrConnect_GoesToYarp()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "CONNECT";
        Assert.False(LeanPath.Covers(context, "http://127.0.0.1:1", ForwarderRequestConfig.Empty));
        context.Request.Method = "GET";
        Assert.True(LeanPath.Covers(context, "http://127.0.0.1:1", ForwarderRequestConfig.Empty));
    }

    [Theory]
    [InlineData(true, 10L, "POST", RequestBodyFraming.ContentLength, 10L)]
    [InlineData(true, null, "POST", RequestBodyFraming.Chunked, 0L)]
    [InlineData(true, null, "GET", RequestBodyFraming.Chunked, 0L)]
    [InlineData(false, null, "GET", RequestBodyFraming.None, 0L)]
    [InlineData(false, 0L, "GET", RequestBodyFraming.None, 0L)]
    [InlineData(false, null, "DELETE", RequestBodyFraming.None, 0L)]
    [InlineData(false, 0L, "POST", RequestBodyFraming.ContentLength, 0L)]
    [InlineData(false, null, "PUT", RequestBodyFraming.ContentLength, 0L)]
    public void TheFraming_IsGatehousesOwn_ContentLengthWhenKnown_ChunkedOtherwise(bool hasBody, long? length, string method, RequestBodyFraming framing, long sent) =>
        Assert.Equal((framing, sent), LeanRequest.Framing(hasBody, length, method));

    [Fact]
    public void TheFieldsSent_NeverIncludeTheClientsFramingOrHost_AndJoinRepeatedValuesAsHttpClientDoes()
    {
        using var message = new HttpRequestMessage { Content = new HeaderShellContent() };
        message.Headers.TryAddWithoutValidation("Host", "client.example");
        message.Headers.TryAddWithoutValidation("Transfer-Encoding", "chunked");
        message.Headers.TryAddWithoutValidation("X-A", ["1", "2"]);
        message.Headers.TryAddWithoutValidation("Cookie", ["a=1", "b=2"]);
        message.Content.Headers.TryAddWithoutValidation("Content-Length", "5");
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");

        var fields = LeanRequest.Fields(message);

        Assert.Equal(
            [KeyValuePair.Create("X-A", "1, 2"), KeyValuePair.Create("Cookie", "a=1; b=2"), KeyValuePair.Create("Content-Type", "text/plain")],
            fields);
    }

    [Fact]
    public void TheClustersTimeouts_BecomeThePoolsOptions_AndMaxConnectionsKeepsYarp()
    {
        var cluster = new ClusterDefinition
        {
            HttpClient = new HttpClientDefinition { ConnectTimeout = Duration.From(TimeSpan.FromSeconds(2)), PooledConnectionIdleTimeout = Duration.From(TimeSpan.FromSeconds(7)) },
        };

        var lean = LeanForwarding.From(cluster, new GatehouseConfig { Forwarder = "lean" });

        Assert.True(lean.Enabled);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7)), (lean.Options.ConnectTimeout, lean.Options.IdleTimeout));
        Assert.False(LeanForwarding.From(cluster, new GatehouseConfig { Forwarder = "yarp" }).Enabled);
        Assert.False(LeanForwarding.From(cluster with { HttpClient = cluster.HttpClient with { MaxConnectionsPerServer = 10 } }, new GatehouseConfig { Forwarder = "lean" }).Enabled);
    }

    public static TheoryData<string, bool, bool, bool, ForwarderError, int> Failures() => new()
    {
        // exception kind, request has a body, cancelled by client/caller, activity timed out → YARP's error and status
        { "connect-refused", false, false, false, ForwarderError.Request, 502 },
        { "connect-timeout", false, false, false, ForwarderError.RequestTimedOut, 504 },
        { "activity-timeout", false, false, true, ForwarderError.RequestTimedOut, 504 },
        { "invalid-response", false, false, false, ForwarderError.Request, 502 },
        { "client-body-413", true, false, false, ForwarderError.RequestBodyClient, 413 },
        { "client-body-broken", true, false, false, ForwarderError.RequestBodyClient, 400 },
        { "backend-took-no-body", true, false, false, ForwarderError.RequestBodyDestination, 502 },
        { "client-aborted", false, true, false, ForwarderError.RequestCanceled, 400 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void AFailureBeforeTheResponse_EndsAsYarpsForwarderEndsIt(string kind, bool body, bool cancelled, bool timedOut, ForwarderError error, int status)
    {
        Exception exception = kind switch
        {
            "connect-refused" => new UpstreamException(UpstreamFailure.ConnectFailed, "refused", new System.Net.Sockets.SocketException()),
            "connect-timeout" => new UpstreamException(UpstreamFailure.ConnectFailed, "timeout", new OperationCanceledException()),
            "activity-timeout" => new OperationCanceledException(),
            "invalid-response" => new UpstreamException(UpstreamFailure.InvalidResponse, "obs-fold"),
            "client-body-413" => new UpstreamException(UpstreamFailure.SendFailed, "client", new InvalidDataException("read", new BadHttpRequestException("too large", 413))),
            "client-body-broken" => new UpstreamException(UpstreamFailure.SendFailed, "client", new InvalidDataException("short")),
            "backend-took-no-body" => new UpstreamException(UpstreamFailure.SendFailed, "reset", new IOException("reset")),
            _ => new OperationCanceledException(),
        };
        var request = new UpstreamRequest("POST", "/", "b", []) { Body = body ? Stream.Null : null };

        Assert.Equal((error, status), LeanForwarder.RequestFailure(exception, request, cancelled, timedOut, clientAborted: cancelled));
    }

    [Fact]
    public void AFailureBeforeAnythingWasBuilt_IsRequestCreation() =>
        Assert.Equal((ForwarderError.RequestCreation, 502), LeanForwarder.RequestFailure(new InvalidOperationException(), null, false, false, false));

    [Fact]
    public void TheShell_PutsContentHeadersWhereHttpClientPutsThem()
    {
        var parser = new ResponseHeadParser();
        var bytes = "HTTP/1.0 201 Made\r\nContent-Type: text/plain\r\nX-A: \u00e9\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        var result = parser.Parse(new System.Buffers.ReadOnlySequence<byte>(bytes));
        using var request = new HttpRequestMessage();

        using var shell = LeanResponse.Shell(result.Head!, request);

        Assert.Equal((HttpStatusCode.Created, HttpVersion.Version10), (shell.StatusCode, shell.Version));
        Assert.Equal("text/plain", shell.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, shell.Content.Headers.ContentLength);
        Assert.Equal("\u00c3\u00a9", Assert.Single(shell.Headers.NonValidated["X-A"])); // Latin-1, as HttpClient decodes
        Assert.Equal("Made", LeanResponse.CustomReason(result.Head!));
    }
}
