using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.StaticFiles;

/// <summary>
/// Serves a files route's folder (docs/static-files.md): the path is mapped by <see cref="FilePaths"/>, the file opened
/// and checked by <see cref="OpenedFile"/>, then conditions, ranges and precompressed siblings decided by pure functions.
/// A route without <c>files</c> passes on after one look-up. Sits below the cache and compression, so a route may cache
/// or compress its files like any response.
/// </summary>
internal sealed class StaticFilesMiddleware(RequestDelegate next, TimeProvider time)
{
    private const string AllowedMethods = "GET, HEAD";

    public Task InvokeAsync(HttpContext context)
    {
        var settings = RouteRuntime.Of(context)?.Get<RouteStaticFiles>();
        return settings is null ? next(context) : ServeAsync(context, settings);
    }

    private Task ServeAsync(HttpContext context, RouteStaticFiles settings)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            if (settings.ForwardsMisses)
            {
                return next(context);
            }
            context.Response.Headers.Allow = AllowedMethods;
            return ErrorPages.TryWriteAsync(context, StatusCodes.Status405MethodNotAllowed);
        }

        var realRoot = settings.CurrentRealRoot();
        var mapped = FilePaths.Map(request.Path.Value ?? "", settings.StripPrefix, settings.ServeDotfiles);
        var file = realRoot is null ? null : Find(realRoot, mapped, settings);
        if (realRoot is not null && file is null && mapped.Lookup == PathLookup.File && HasIndex(realRoot, mapped.Relative, settings))
        {
            // A folder asked for without its slash: relative links in its index page need the slash (nginx's 301 too).
            context.Response.Headers.Location = UriHelper.BuildRelative(request.PathBase, request.Path + "/", request.QueryString);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            return Task.CompletedTask;
        }
        if (file is null && settings.ForwardsMisses)
        {
            return next(context);
        }
        if (file is null && realRoot is not null && settings.Fallback is { } fallback)
        {
            file = OpenedFile.TryOpen(realRoot, fallback, settings);
        }
        if (file is null)
        {
            return ErrorPages.WriteRefusalAsync(context, StatusCodes.Status404NotFound, "404 Not Found: no such file.\n");
        }
        return SendAsync(context, settings, realRoot!, file);
    }

    private static OpenedFile? Find(string realRoot, MappedPath mapped, RouteStaticFiles settings)
    {
        switch (mapped.Lookup)
        {
            case PathLookup.File:
                return OpenedFile.TryOpen(realRoot, mapped.Relative, settings);
            case PathLookup.Folder:
                foreach (var index in settings.Index)
                {
                    var candidate = mapped.Relative.Length == 0 ? index : string.Concat(mapped.Relative, "/", index);
                    if (OpenedFile.TryOpen(realRoot, candidate, settings) is { } file)
                    {
                        return file;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static bool HasIndex(string realRoot, string relative, RouteStaticFiles settings)
    {
        using var index = Find(realRoot, new MappedPath(PathLookup.Folder, relative), settings);
        return index is not null;
    }

    private async Task SendAsync(HttpContext context, RouteStaticFiles settings, string realRoot, OpenedFile file)
    {
        OpenedFile? sibling = null;
        try
        {
            var request = context.Request;
            var response = context.Response;
            SiblingCoding? coding = null;
            // A range of an encoded file is a range of bytes the client has not seen: ranges are served from the file.
            if (!request.Headers.ContainsKey(HeaderNames.Range))
            {
                foreach (var candidate in PrecompressedSiblings.Order(request.Headers.AcceptEncoding, settings.Precompressed))
                {
                    if (OpenedFile.TryOpen(realRoot, file.Name + candidate.Suffix, settings) is { } opened)
                    {
                        (sibling, coding) = (opened, candidate);
                        break;
                    }
                }
            }
            var sent = sibling ?? file;
            var validators = FileValidators.Of(sent.LastWriteUtc, sent.Length, coding?.Name);
            var headers = response.Headers;
            ErrorPages.ApplySecurityHeaders(context);
            headers.ETag = validators.ETag;
            headers.LastModified = HeaderUtilities.FormatDate(validators.LastModified);
            if (settings.Precompressed.Count > 0)
            {
                headers.Vary = HeaderNames.AcceptEncoding;
            }
            if (settings.CacheControl is { } cacheControl)
            {
                headers.CacheControl = cacheControl;
            }

            switch (FileConditions.Evaluate(request.Headers, validators))
            {
                case FileCondition.NotModified:
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return;
                case FileCondition.PreconditionFailed:
                    await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status412PreconditionFailed, "412 Precondition Failed\n");
                    return;
            }

            var contentType = FileContentTypes.Of(file.Name);
            var ranges = FileRanges.Decide(request.Method, request.Headers, sent.Length, validators, time.GetUtcNow());
            headers.AcceptRanges = "bytes";
            switch (ranges.Outcome)
            {
                case FileRangeOutcome.NotSatisfiable:
                    headers.ContentRange = $"bytes */{sent.Length}";
                    await ErrorPages.WriteRefusalAsync(context, StatusCodes.Status416RangeNotSatisfiable, "416 Range Not Satisfiable\n");
                    return;
                case FileRangeOutcome.Partial when ranges.Ranges.Count == 1:
                    var range = ranges.Ranges[0];
                    response.StatusCode = StatusCodes.Status206PartialContent;
                    headers.ContentRange = range.ContentRange(sent.Length);
                    headers.ContentType = contentType;
                    response.ContentLength = range.Length;
                    await FileBody.WriteAsync(sent, range.Offset, range.Length, response.Body, context.RequestAborted);
                    return;
                case FileRangeOutcome.Partial:
                    await SendMultipartAsync(context, sent, ranges.Ranges, contentType);
                    return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            headers.ContentType = contentType;
            if (coding is not null)
            {
                headers.ContentEncoding = coding.Name;
            }
            response.ContentLength = sent.Length;
            if (!HttpMethods.IsHead(request.Method))
            {
                await FileBody.WriteAsync(sent, 0, sent.Length, response.Body, context.RequestAborted);
            }
        }
        finally
        {
            sibling?.Dispose();
            file.Dispose();
        }
    }

    private static async Task SendMultipartAsync(HttpContext context, OpenedFile file, IReadOnlyList<FileRange> ranges, string contentType)
    {
        var boundary = Guid.NewGuid().ToString("N");
        var (heads, end, length) = FileBody.Multipart(ranges, boundary, contentType, file.Length);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.ContentType = $"multipart/byteranges; boundary={boundary}";
        response.ContentLength = length;
        var cancel = context.RequestAborted;
        for (var i = 0; i < ranges.Count; i++)
        {
            await response.Body.WriteAsync(heads[i], cancel);
            await FileBody.WriteAsync(file, ranges[i].Offset, ranges[i].Length, response.Body, cancel);
        }
        await response.Body.WriteAsync(end, cancel);
    }
}
