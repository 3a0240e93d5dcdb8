using System.Text.Json;

namespace Mlops.Server.Hosting;

/// <summary>
/// The inference token (<c>Mlops:InferenceToken</c>, environment variable <c>Mlops__InferenceToken</c>): when
/// set, the routes that score or take feedback (<c>/v2/models/...</c>, <c>/models/...</c>, <c>/feedback</c>)
/// answer 401 unless the request carries <c>Authorization: Bearer TOKEN</c>, for deployments with no mesh in
/// front. Health, status, metrics and the UI keep their own rules. Off by default; unset, nothing is added to
/// the request path at all.
/// </summary>
public static class InferenceToken
{
    /// <summary>The configuration key.</summary>
    public const string Key = ServeOptions.Section + ":" + nameof(ServeOptions.InferenceToken);

    /// <summary>Adds the check when the configuration holds a token.</summary>
    /// <param name="app">The application, before its endpoints are mapped.</param>
    public static void UseInferenceToken(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Configuration[Key] is not { Length: > 0 } token)
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            if (!Guarded(context.Request.Path) || BearerToken.Carries(context.Request, token))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            context.Response.ContentType = "application/json";
            // The Open Inference Protocol's error body: one field, what is wrong and what to do.
            await JsonSerializer.SerializeAsync(context.Response.Body, new Dictionary<string, string>
            {
                ["error"] = "This route needs the inference token: send it as 'Authorization: Bearer TOKEN' (the server's Mlops:InferenceToken).",
            }, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>Whether a path is one the token guards.</summary>
    /// <param name="path">The request's path.</param>
    public static bool Guarded(PathString path) =>
        path.StartsWithSegments("/v2/models", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/models", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/feedback", StringComparison.OrdinalIgnoreCase);
}
