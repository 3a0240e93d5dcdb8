using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary>One prediction of the named-feature endpoint.</summary>
/// <param name="PredictionId">Identifies the prediction (for feedback and logs).</param>
/// <param name="Model">The model that answered.</param>
/// <param name="Version">Its version (0 for a constant fallback).</param>
/// <param name="BundleDigest">Its bundle digest.</param>
/// <param name="EnvironmentCommit">The environment commit that pinned it.</param>
/// <param name="ServedBy">primary, canary or fallback.</param>
/// <param name="Prediction">The predicted class (bool for binary, the label for multiclass) or value.</param>
/// <param name="Probability">Binary: the probability of the positive class.</param>
/// <param name="Score">The raw score.</param>
/// <param name="Probabilities">Multiclass: each class's probability.</param>
/// <param name="FallbackReason">Why a fallback answered.</param>
internal sealed record PredictResult(
    string PredictionId,
    string Model,
    int Version,
    string? BundleDigest,
    string? EnvironmentCommit,
    string ServedBy,
    object? Prediction,
    float? Probability,
    float Score,
    IReadOnlyDictionary<string, float>? Probabilities,
    string? FallbackReason);

/// <summary>The answer to an array of rows.</summary>
internal sealed record PredictBatch(IReadOnlyList<PredictResult> Predictions);

/// <summary>
/// <c>POST /models/{name}/predict</c>: one object, or an array of objects, keyed by feature name. Bad
/// rows get a validation problem naming each field; every other failure is a ProblemDetails.
/// </summary>
internal static class PredictEndpoints
{
    public static IEndpointRouteBuilder MapPredict(this IEndpointRouteBuilder app)
    {
        app.MapPost("/models/{name}/predict", PredictAsync).WithTags("predict");
        return app;
    }

    private static async Task<Results<Ok<PredictResult>, Ok<PredictBatch>, ValidationProblem, ProblemHttpResult>> PredictAsync(
        string name, HttpRequest request, ModelHost host, IOptions<ServeOptions> options, PredictionLog log, MlopsMetrics metrics, MonitorService monitor, TimeProvider time, CancellationToken cancellationToken)
    {
        // The clock is read only when something listens: off, recording costs a flag check.
        var started = metrics.IsRecording || monitor.Enabled ? time.GetTimestamp() : 0;
        if (!host.Snapshot.Models.TryGetValue(name, out var served))
        {
            // Not counted: the name comes from the request, and a label per made-up name has no bound.
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not served", detail: InferenceEndpoints.NotServed(host, name));
        }

        try
        {
            return await PredictServedAsync(name, request, host, served, options, log, metrics, monitor, time, started, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (InferenceEndpoints.RecordInternal(metrics, name, RequestRoute.Predict, cancellationToken))
        {
            throw; // never reached: the filter counts the failure and lets it propagate unchanged
        }
    }

    private static async Task<Results<Ok<PredictResult>, Ok<PredictBatch>, ValidationProblem, ProblemHttpResult>> PredictServedAsync(
        string name, HttpRequest request, ModelHost host, ServedModel served, IOptions<ServeOptions> options, PredictionLog log,
        MlopsMetrics metrics, MonitorService monitor, TimeProvider time, long started, CancellationToken cancellationToken)
    {

        if (served.Schema is not { } schema)
        {
            return Fail(StatusCodes.Status503ServiceUnavailable, title: "Model not loaded", detail: $"model '{name}' has no loaded version yet; GET /status says why.");
        }

        if (RequestBody.NotJsonMediaType(request) is { } mediaType)
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: mediaType);
        }

        var (document, status, error) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return Fail(status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Invalid JSON", detail: error);
        }

        using (document)
        {
            var root = document.RootElement;
            var isBatch = root.ValueKind == JsonValueKind.Array;
            var items = isBatch ? [.. root.EnumerateArray()] : new[] { root };
            if (items.Length > options.Value.MaxRows)
            {
                return Fail(StatusCodes.Status413PayloadTooLarge, title: "Too many rows", detail: $"the request has {items.Length} rows; the limit is {options.Value.MaxRows} (Mlops:MaxRows).");
            }

            var problems = new List<string>();
            var rows = new List<IEnumerable<KeyValuePair<string, object?>>>(items.Length);
            for (var i = 0; i < items.Length; i++)
            {
                rows.Add(Fields(items[i], isBatch ? $"[{i}]" : "body", problems));
            }

            var keys = new string?[rows.Count];
            var batch = schema.CheckRows(rows, problems, keys, isBatch ? i => $"[{i}]." : null);
            if (problems.Count > 0)
            {
                var errors = problems
                    .Select(p => p.IndexOf(": ", StringComparison.Ordinal) is var at and > 0 ? (Field: p[..at], Message: p[(at + 2)..]) : (Field: "body", Message: p))
                    .GroupBy(p => p.Field, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal);
                metrics.RecordError(name, RequestRoute.Predict, RequestErrorKind.BadRequest);
                return TypedResults.ValidationProblem(errors, title: $"The request does not fit model '{name}': {string.Join(", ", errors.Keys.Take(10))}.");
            }

            // The rows of one request are one batch: routed once (by the first row's entity key), scored in one call.
            var ids = new string[rows.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = Guid.NewGuid().ToString("N");
            }

            ServedBatch answer;
            try
            {
                answer = await host.Router.ScoreAsync(served, batch, keys[0] ?? ids[0], cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ModelUnavailableException e)
            {
                return Fail(StatusCodes.Status503ServiceUnavailable, title: "Model unavailable", detail: e.Message);
            }

            log.Writer?.TryWrite(ids[0], ids, schema, batch, answer);
            var results = new List<PredictResult>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                results.Add(ToResult(ids[i], answer.Row(i)));
            }

            if (metrics.IsRecording)
            {
                metrics.RecordRequest(name, answer.Version, answer.Role, RequestRoute.Predict, time.GetElapsedTime(started));
            }

            if (monitor.Enabled)
            {
                monitor.TryRecord(answer, batch, time.GetElapsedTime(started));
            }

            return isBatch ? TypedResults.Ok(new PredictBatch(results)) : TypedResults.Ok(results[0]);
        }

        ProblemHttpResult Fail(int status, string title, string? detail)
        {
            metrics.RecordError(name, RequestRoute.Predict, InferenceEndpoints.ErrorKind(status));
            return TypedResults.Problem(statusCode: status, title: title, detail: detail);
        }
    }

    /// <summary>An object's fields as feature name to value; a field whose name is not valid Unicode is a problem, not a fault.</summary>
    private static List<KeyValuePair<string, object?>> Fields(JsonElement item, string where, List<string> problems)
    {
        var fields = new List<KeyValuePair<string, object?>>();
        if (item.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: expected an object keyed by feature name.");
            return fields;
        }

        var index = 0;
        foreach (var property in item.EnumerateObject())
        {
            try
            {
                fields.Add(KeyValuePair.Create(property.Name, (object?)property.Value));
            }
            catch (InvalidOperationException)
            {
                problems.Add($"{where}: field {index}: the name {FeatureInput.NotUnicode.Message}");
            }

            index++;
        }

        return fields;
    }

    private static PredictResult ToResult(string id, ServedPrediction answer)
    {
        var p = answer.Prediction;
        object? prediction = p.IsPositive is { } positive ? positive : p.PredictedLabel is { } label ? label : p.Score;
        return new PredictResult(id, answer.Model, answer.Version, answer.Digest, answer.Commit, answer.Role.ToString().ToLowerInvariant(),
            prediction, p.Probability, p.Score, p.ClassScores, answer.Reason);
    }
}
