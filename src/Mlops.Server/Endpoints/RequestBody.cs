using System.Text.Json;

namespace Mlops.Server.Endpoints;

/// <summary>Reads a JSON request body under the configured size limit.</summary>
internal static class RequestBody
{
    /// <summary>The parsed body, or why not: <c>(null, 413 or 400, message)</c>.</summary>
    public static async Task<(JsonDocument? Document, int Status, string? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; the limit is {limit} (Mlops:MaxBodyBytes). Send fewer rows per request.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, StatusCodes.Status413PayloadTooLarge, $"the body is over the limit of {limit} bytes (Mlops:MaxBodyBytes). Send fewer rows per request.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), 200, null);
        }
        catch (JsonException e)
        {
            return (null, StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}");
        }
    }
}
