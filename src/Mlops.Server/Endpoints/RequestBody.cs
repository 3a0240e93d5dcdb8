using System.Buffers;
using System.Text.Json;

namespace Mlops.Server.Endpoints;

/// <summary>Reads a request body under the configured size limit, as bytes or as a JSON document.</summary>
internal static class RequestBody
{
    /// <summary>The parsed body, or why not: <c>(null, 413 or 400, message)</c>.</summary>
    public static async Task<(JsonDocument? Document, int Status, string? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var (body, status, error) = await ReadBytesAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, status, error);
        }

        try
        {
            return (JsonDocument.Parse(body), 200, null);
        }
        catch (JsonException e)
        {
            return (null, StatusCodes.Status400BadRequest, NotJson(e));
        }
    }

    /// <summary>
    /// Why a request's Content-Type is not JSON (what ASP.NET Core answers 415 for when it binds a
    /// JSON body), or null when it is <c>application/json</c> or a <c>+json</c> type.
    /// </summary>
    public static string? NotJsonMediaType(HttpRequest request) => request.HasJsonContentType()
        ? null
        : $"the body must be JSON, sent with 'Content-Type: application/json' (this request says '{(request.ContentType is { Length: > 0 } type ? type : "nothing")}').";

    /// <summary>The message for a body that is not valid JSON.</summary>
    public static string NotJson(JsonException e) => $"the body is not valid JSON: {e.Message}";

    /// <summary>The body's bytes, or why not: <c>(empty, 413, message)</c>.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, int Status, string? Error)> ReadBytesAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (default, StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; the limit is {limit} (Mlops:MaxBodyBytes). Send fewer rows per request.");
        }

        // Per-request garbage is throughput (docs/benchmarks.md, serving): a body of known length is read
        // straight into one array of its size; otherwise through a pooled chunk, not a new one per request.
        byte[] body;
        int length;
        if (request.ContentLength is { } known)
        {
            body = new byte[known];
            length = await request.Body.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var buffer = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > limit)
                    {
                        return (default, StatusCodes.Status413PayloadTooLarge, $"the body is over the limit of {limit} bytes (Mlops:MaxBodyBytes). Send fewer rows per request.");
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            body = buffer.GetBuffer();
            length = (int)buffer.Length;
        }

        return (body.AsMemory(0, length), 200, null);
    }
}
