using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary>The answer to <c>POST /feedback</c>: counts, and each item's status in request order.</summary>
/// <param name="Accepted">Items joined with their prediction.</param>
/// <param name="Unknown">Items whose id is not a remembered prediction.</param>
/// <param name="Duplicates">Items for a prediction that already had feedback (the first counts).</param>
/// <param name="Results">Per item: id and status (accepted, unknown, duplicate).</param>
internal sealed record FeedbackAnswer(int Accepted, int Unknown, int Duplicates, IReadOnlyList<FeedbackItemAnswer> Results);

/// <summary>One feedback item's status.</summary>
/// <param name="Id">The prediction id.</param>
/// <param name="Status">accepted, unknown or duplicate.</param>
internal sealed record FeedbackItemAnswer(string Id, string Status);

/// <summary>Live metrics and the prediction log's counters (<c>GET /monitoring/live</c>).</summary>
/// <param name="Window">The window's length, in seconds.</param>
/// <param name="Quality">The live metrics per version over the window.</param>
/// <param name="Log">The prediction log's counters.</param>
internal sealed record LiveAnswer(double Window, LiveQualitySnapshot Quality, PredictionLogStatus Log);

/// <summary>
/// <c>POST /feedback</c>: true labels for logged predictions, one (<c>{"id": ..., "label": ...}</c>) or
/// several (<c>{"feedback": [{"id": ..., "label": ...}, ...]}</c>); <c>GET /monitoring/live</c>: the
/// live metrics they give. Both need the prediction log (<c>Mlops:PredictionLog:Folder</c>).
/// </summary>
internal static class FeedbackEndpoints
{
    // Feedback sent right after its prediction waits at most this long for the log's writer to remember it.
    private static readonly TimeSpan s_catchUp = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan s_defaultWindow = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapFeedback(this IEndpointRouteBuilder app)
    {
        app.MapPost("/feedback", FeedbackAsync).WithTags("feedback");
        app.MapGet("/monitoring/live", Live).WithTags("feedback");
        return app;
    }

    private static ProblemHttpResult Off() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Feedback is off",
        detail: "feedback is joined with the prediction log, which is off: set Mlops:PredictionLog:Folder (docs/monitoring.md).");

    private static async Task<Results<Ok<FeedbackAnswer>, ValidationProblem, ProblemHttpResult>> FeedbackAsync(
        HttpRequest request, PredictionLog log, IOptions<ServeOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (log.Writer is not { } writer)
        {
            return Off();
        }

        if (RequestBody.NotJsonMediaType(request) is { } mediaType)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: mediaType);
        }

        var (document, status, error) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return TypedResults.Problem(statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Invalid JSON", detail: error);
        }

        List<FeedbackItem> items;
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        using (document)
        {
            items = Items(document.RootElement, problems, options.Value.MaxRows);
        }

        if (problems.Count == 0)
        {
            await writer.CaughtUpAsync(s_catchUp, cancellationToken).ConfigureAwait(false);
            var results = writer.Quality.Record(items, problems);
            if (problems.Count == 0)
            {
                var now = time.GetUtcNow();
                for (var i = 0; i < items.Count; i++)
                {
                    if (results[i].Status == FeedbackStatus.Accepted)
                    {
                        writer.TryWrite(new LoggedFeedback(items[i].Id, now, items[i].Label));
                    }
                }

                return TypedResults.Ok(new FeedbackAnswer(
                    results.Count(r => r.Status == FeedbackStatus.Accepted),
                    results.Count(r => r.Status == FeedbackStatus.Unknown),
                    results.Count(r => r.Status == FeedbackStatus.Duplicate),
                    [.. results.Select(r => new FeedbackItemAnswer(r.Id, r.Status.ToString().ToLowerInvariant()))]));
            }
        }

        return TypedResults.ValidationProblem(problems, title: $"The feedback was not recorded: {string.Join(", ", problems.Keys.Take(10))}.");
    }

    /// <summary>The items of a body; each malformed one adds a problem naming its field.</summary>
    private static List<FeedbackItem> Items(JsonElement root, Dictionary<string, string[]> problems, int maxItems)
    {
        var items = new List<FeedbackItem>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            problems["body"] = ["send {\"id\": \"PREDICTION_ID\", \"label\": LABEL} or {\"feedback\": [{\"id\": ..., \"label\": ...}, ...]}."];
            return items;
        }

        if (root.TryGetProperty("feedback"u8, out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                problems["feedback"] = ["must be a non-empty array of {\"id\": ..., \"label\": ...}."];
                return items;
            }

            if (list.GetArrayLength() > maxItems)
            {
                problems["feedback"] = [$"has {list.GetArrayLength()} items; the limit is {maxItems} (Mlops:MaxRows)."];
                return items;
            }

            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                Item(element, $"feedback[{index++}].", items, problems);
            }

            return items;
        }

        Item(root, "", items, problems);
        return items;
    }

    private static void Item(JsonElement element, string where, List<FeedbackItem> items, Dictionary<string, string[]> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems[where.Length == 0 ? "body" : where.TrimEnd('.')] = ["must be an object {\"id\": ..., \"label\": ...}."];
            return;
        }

        string? id = null;
        if (!element.TryGetProperty("id"u8, out var idValue) || idValue.ValueKind != JsonValueKind.String || (id = idValue.GetString()) is not { Length: > 0 })
        {
            problems[where + "id"] = ["is missing or not a string: send the prediction id the answer gave (predictionId, or parameters.prediction_ids)."];
        }

        FeedbackLabel? label = null;
        if (!element.TryGetProperty("label"u8, out var labelValue) || (label = FeedbackLabel.Read(labelValue)) is null)
        {
            problems[where + "label"] = ["is missing or not a label: send true or false (binary), the class name (multiclass) or a number (regression)."];
        }

        if (id is not null && label is { } known)
        {
            items.Add(new FeedbackItem(where + "label", id, known));
        }
    }

    private static Results<Ok<LiveAnswer>, ProblemHttpResult> Live(string? window, PredictionLog log, TimeProvider time)
    {
        if (log.Writer is not { } writer)
        {
            return Off();
        }

        var length = s_defaultWindow;
        if (window is not null)
        {
            if (!double.TryParse(window, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || seconds > TimeSpan.FromDays(3650).TotalSeconds)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad window",
                    detail: $"window '{window}' is not a number of seconds above 0; for example ?window=3600 for the last hour.");
            }

            length = TimeSpan.FromSeconds(seconds);
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok(new LiveAnswer(length.TotalSeconds, writer.Quality.Snapshot(now - length, now.AddTicks(1)), writer.Status));
    }
}
