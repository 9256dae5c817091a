using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using Gatehouse.Http;
using Gatehouse.Http1;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Forwarding;

/// <summary>
/// The fields of a request forwarded through the direct head, written from Kestrel's <see cref="IHeaderDictionary"/>
/// into the connection's pipe. The client's fields go as YARP's transformer copies them onto the message: without the
/// hop-by-hop fields (RFC 9110 §7.6.1, YARP's list), HTTP/2 pseudo-fields, fields whose value holds CR or LF, and those
/// the route's steps removed (Connection-named ones, the client's forwarding headers); an HTTP/2 or HTTP/3 client's
/// "TE: trailers" is kept. Then the steps' fields (Via, X-Forwarded-*), one more value of a client field of the same
/// name. Repeated values are joined as HttpClient joins them. Host, Content-Length and Transfer-Encoding are never the
/// client's: <see cref="RequestHeadWriter"/> writes Gatehouse's own. Pooled: one per exchange in flight.
/// </summary>
internal sealed class DirectRequestFields : IRequestFields
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<DirectRequestFields> Pool = new();
    private static int _pooled;

    /// <summary>YARP's hop-by-hop fields (RequestUtilities), and those RequestHeadWriter writes itself.</summary>
    private static readonly FrozenSet<string> NotCopied = new[]
    {
        HeaderNames.Connection, HeaderNames.TransferEncoding, HeaderNames.KeepAlive, HeaderNames.Upgrade, HeaderNames.ProxyConnection,
        HeaderNames.ProxyAuthenticate, "Proxy-Authentication-Info", HeaderNames.ProxyAuthorization, "Proxy-Features", "Proxy-Instruction",
        "Security-Scheme", "ALPN", "Close", "HTTP2-Settings", HeaderNames.UpgradeInsecureRequests, HeaderNames.TE, HeaderNames.AltSvc,
        HeaderNames.Host, HeaderNames.ContentLength,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private KeyValuePair<string, StringValues>[] _client = new KeyValuePair<string, StringValues>[16];
    private int _clientCount;

    /// <summary>For each added field: the client field it joins (>= 0), -1 when it stands alone, -2 when it joins an earlier added one.</summary>
    private int[] _addedInto = new int[8];

    public DirectRequestHead Head { get; } = new();

    public static DirectRequestFields Rent(HttpContext context, string destinationPrefix)
    {
        if (Pool.TryDequeue(out var fields))
        {
            Interlocked.Decrement(ref _pooled);
        }
        else
        {
            fields = new DirectRequestFields();
        }

        fields.Head.Reset(context, destinationPrefix);
        return fields;
    }

    public void Return()
    {
        Head.Release();
        Array.Clear(_client, 0, _clientCount);
        _clientCount = 0;
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            Pool.Enqueue(this);
            return;
        }

        Interlocked.Decrement(ref _pooled);
    }

    /// <summary>Takes the client's fields that are forwarded, once the steps have run (they decide what is removed).</summary>
    public void Collect()
    {
        var head = Head;
        var request = head.Context.Request;
        _clientCount = 0;
        foreach (var (name, values) in request.Headers)
        {
            if (!NotCopied.Contains(name) && !name.StartsWith(':') && !head.IsRemoved(name) && !HasNewLine(values))
            {
                AddClientField(name, values);
            }
        }

        // YARP forwards an HTTP/2 or HTTP/3 client's TE when it is "trailers" (RFC 9113 §8.2.2).
        if ((HttpProtocol.IsHttp2(request.Protocol) || HttpProtocol.IsHttp3(request.Protocol)) && HasTrailersToken(request.Headers.TE)
            && !head.IsRemoved(HeaderNames.TE))
        {
            AddClientField(HeaderNames.TE, "trailers");
        }

        MatchAddedFields();
    }

    public string? Check()
    {
        for (var i = 0; i < _clientCount; i++)
        {
            var (name, values) = _client[i];
            foreach (var value in values)
            {
                if (RequestHeadWriter.CheckField(name, value ?? "") is { } error)
                {
                    return error;
                }
            }
        }

        for (var i = 0; i < Head.AddedCount; i++)
        {
            var (name, value) = Head.Added(i);
            if (RequestHeadWriter.CheckField(name, value) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var head = Head;
        for (var i = 0; i < _clientCount; i++)
        {
            var (name, values) = _client[i];
            var extra = JoinedCount(i);
            if (values.Count == 1 && extra == 0)
            {
                RequestHeadWriter.WriteField(output, name, values[0] ?? "");
                continue;
            }

            var all = new string[values.Count + extra];
            values.ToArray().CopyTo(all, 0);
            var at = values.Count;
            for (var a = 0; a < head.AddedCount; a++)
            {
                if (_addedInto[a] == i)
                {
                    all[at++] = head.Added(a).Value;
                }
            }

            RequestHeadWriter.WriteField(output, name, Join(name, all));
        }

        for (var a = 0; a < head.AddedCount; a++)
        {
            if (_addedInto[a] == -1)
            {
                WriteAdded(output, a);
            }
        }
    }

    private void AddClientField(string name, StringValues values)
    {
        if (_clientCount == _client.Length)
        {
            Array.Resize(ref _client, _client.Length * 2);
        }

        _client[_clientCount++] = KeyValuePair.Create(name, values);
    }

    /// <summary>Which client field (or earlier added field) each added field joins, as HttpClient adds a value to a header it has.</summary>
    private void MatchAddedFields()
    {
        var head = Head;
        if (_addedInto.Length < head.AddedCount)
        {
            _addedInto = new int[head.AddedCount];
        }

        for (var a = 0; a < head.AddedCount; a++)
        {
            var name = head.Added(a).Key;
            _addedInto[a] = -1;
            for (var i = 0; i < _clientCount && _addedInto[a] == -1; i++)
            {
                if (_client[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    _addedInto[a] = i;
                }
            }

            for (var earlier = 0; earlier < a && _addedInto[a] == -1; earlier++)
            {
                if (_addedInto[earlier] == -1 && head.Added(earlier).Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    _addedInto[a] = -2;
                }
            }
        }
    }

    private int JoinedCount(int client)
    {
        var count = 0;
        for (var a = 0; a < Head.AddedCount; a++)
        {
            count += _addedInto[a] == client ? 1 : 0;
        }

        return count;
    }

    /// <summary>An added field, with the values of later added fields of the same name.</summary>
    private void WriteAdded(IBufferWriter<byte> output, int first)
    {
        var head = Head;
        var (name, value) = head.Added(first);
        List<string>? more = null;
        for (var a = first + 1; a < head.AddedCount; a++)
        {
            if (_addedInto[a] == -2 && head.Added(a).Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                (more ??= [value]).Add(head.Added(a).Value);
            }
        }

        RequestHeadWriter.WriteField(output, name, more is null ? value : Join(name, more));
    }

    /// <summary>As HttpClient writes a header with several values: ", " between them, "; " for Cookie.</summary>
    internal static string Join(string name, IEnumerable<string?> values) =>
        string.Join(name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase) ? "; " : ", ", values);

    /// <summary>YARP drops a field any of whose values holds CR or LF (Kestrel refuses them; middleware could set one).</summary>
    private static bool HasNewLine(StringValues values)
    {
        foreach (var value in values)
        {
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasTrailersToken(StringValues te)
    {
        foreach (var value in te)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim().Equals("trailers", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
