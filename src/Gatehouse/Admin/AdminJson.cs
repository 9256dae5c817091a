using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gatehouse.Admin;

/// <summary>How the admin API answers: indented JSON, never cached.</summary>
internal static class AdminJson
{
    // The relaxed encoder writes quotes and apostrophes as they are (not \u0027): answers are JSON, never HTML.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Options, context.RequestAborted);
    }
}
