using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
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
        string name, HttpRequest request, ModelHost host, IOptions<ServeOptions> options, PredictionLog log, CancellationToken cancellationToken)
    {
        if (!host.Snapshot.Models.TryGetValue(name, out var served))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not served", detail: InferenceEndpoints.NotServed(host, name));
        }

        if (served.Schema is not { } schema)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not loaded", detail: $"model '{name}' has no loaded version yet; GET /status says why.");
        }

        var (document, status, error) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return TypedResults.Problem(statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Invalid JSON", detail: error);
        }

        using (document)
        {
            var root = document.RootElement;
            var isBatch = root.ValueKind == JsonValueKind.Array;
            var items = isBatch ? [.. root.EnumerateArray()] : new[] { root };
            if (items.Length > options.Value.MaxRows)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many rows", detail: $"the request has {items.Length} rows; the limit is {options.Value.MaxRows} (Mlops:MaxRows).");
            }

            var problems = new List<string>();
            var rows = new List<(FeatureRow Row, string? Key)>(items.Length);
            for (var i = 0; i < items.Length; i++)
            {
                var where = isBatch ? $"[{i}]." : "";
                if (items[i].ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{(isBatch ? $"[{i}]" : "body")}: expected an object keyed by feature name.");
                    continue;
                }

                var row = schema.Check(items[i].EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value)), problems, out var key, where);
                rows.Add((row, key));
            }

            if (problems.Count > 0)
            {
                var errors = problems
                    .Select(p => p.IndexOf(": ", StringComparison.Ordinal) is var at and > 0 ? (Field: p[..at], Message: p[(at + 2)..]) : (Field: "body", Message: p))
                    .GroupBy(p => p.Field, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal);
                return TypedResults.ValidationProblem(errors, title: $"The request does not fit model '{name}': {string.Join(", ", errors.Keys.Take(10))}.");
            }

            var results = new List<PredictResult>(rows.Count);
            try
            {
                foreach (var (row, key) in rows)
                {
                    var id = Guid.NewGuid().ToString("N");
                    // A single row may wait for a dynamic batch; the rows of an array are a batch already.
                    var answer = isBatch
                        ? host.Router.Score(served, row, key ?? id)
                        : await host.Router.ScoreAsync(served, row, key ?? id, cancellationToken).ConfigureAwait(false);
                    log.Write(id, answer, row);
                    results.Add(ToResult(id, answer));
                }
            }
            catch (ModelUnavailableException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model unavailable", detail: e.Message);
            }

            return isBatch ? TypedResults.Ok(new PredictBatch(results)) : TypedResults.Ok(results[0]);
        }
    }

    private static PredictResult ToResult(string id, ServedPrediction answer)
    {
        var p = answer.Prediction;
        object? prediction = p.IsPositive is { } positive ? positive : p.PredictedLabel is { } label ? label : p.Score;
        return new PredictResult(id, answer.Model, answer.Version, answer.Digest, answer.Commit, answer.Role.ToString().ToLowerInvariant(),
            prediction, p.Probability, p.Score, p.ClassScores, answer.Reason);
    }
}
