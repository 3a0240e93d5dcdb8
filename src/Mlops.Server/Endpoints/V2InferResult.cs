using System.Globalization;
using System.Text.Json;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Endpoints;

/// <summary>
/// The inference response of the Open Inference Protocol v2, written straight to the response body
/// with a <see cref="Utf8JsonWriter"/>: <c>model_name</c>, <c>model_version</c>, <c>id</c> (when the
/// request had one), <c>parameters</c> (the served version, bundle digest, environment commit, who
/// answered and why a fallback did) and one output tensor per output. It is written on every
/// request, so it skips building response objects for a serializer to walk.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Id">The request's id, echoed.</param>
/// <param name="Answer">The predictions and where they came from.</param>
/// <param name="Kind">What the model predicts, which sets the outputs.</param>
internal sealed record V2InferResult(string Model, string? Id, ServedBatch Answer, PredictionKind Kind) : IResult
{
    /// <inheritdoc/>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            Write(writer);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes the response's JSON.</summary>
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var version = Answer.Version.ToString(CultureInfo.InvariantCulture);
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, Model);
        writer.WriteString("model_version"u8, version);
        if (Id is not null)
        {
            writer.WriteString("id"u8, Id);
        }

        writer.WriteStartObject("parameters"u8);
        writer.WriteString("model_version"u8, version);
        writer.WriteString("bundle_digest"u8, Answer.Digest);
        writer.WriteString("environment_commit"u8, Answer.Commit);
        writer.WriteString("served_by"u8, RoleName(Answer.Role));
        writer.WriteString("fallback_reason"u8, Answer.Reason);
        writer.WriteEndObject();

        var predictions = Answer.Predictions;
        writer.WriteStartArray("outputs"u8);
        switch (Kind)
        {
            case PredictionKind.Binary:
                StartOutput(writer, "predicted", "BOOL", predictions.Count);
                for (var i = 0; i < predictions.Count; i++)
                {
                    writer.WriteBooleanValue(predictions.IsPositive?[i] ?? predictions.Scores[i] > 0);
                }

                EndOutput(writer);
                StartOutput(writer, "probability", "FP32", predictions.Count);
                for (var i = 0; i < predictions.Count; i++)
                {
                    if (predictions.Probabilities is { } probabilities)
                    {
                        writer.WriteNumberValue(probabilities[i]);
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                EndOutput(writer);
                Scores(writer, "score", predictions);
                break;
            case PredictionKind.Multiclass:
                StartOutput(writer, "predicted", "BYTES", predictions.Count);
                for (var i = 0; i < predictions.Count; i++)
                {
                    writer.WriteStringValue(predictions.PredictedLabels?[i]);
                }

                EndOutput(writer);
                Scores(writer, "score", predictions);
                break;
            default:
                Scores(writer, "predicted", predictions);
                break;
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>How the protocol's answers name who answered.</summary>
    internal static string RoleName(ServedRole role) => role switch
    {
        ServedRole.Primary => "primary",
        ServedRole.Canary => "canary",
        ServedRole.Fallback => "fallback",
        ServedRole.Explicit => "explicit",
        _ => role.ToString().ToLowerInvariant(),
    };

    private static void Scores(Utf8JsonWriter writer, string name, BatchPredictions predictions)
    {
        StartOutput(writer, name, "FP32", predictions.Count);
        foreach (var score in predictions.Scores)
        {
            writer.WriteNumberValue(score);
        }

        EndOutput(writer);
    }

    /// <summary>Opens one output tensor, up to its data array.</summary>
    private static void StartOutput(Utf8JsonWriter writer, string name, string datatype, int count)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, name);
        writer.WriteStartArray("shape"u8);
        writer.WriteNumberValue(count);
        writer.WriteEndArray();
        writer.WriteString("datatype"u8, datatype);
        writer.WriteStartArray("data"u8);
    }

    private static void EndOutput(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
