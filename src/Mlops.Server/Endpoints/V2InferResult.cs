using System.Globalization;
using System.Text.Json;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Endpoints;

/// <summary>
/// The inference response of the Open Inference Protocol v2, written straight to the response body
/// with a <see cref="Utf8JsonWriter"/>: <c>model_name</c>, <c>model_version</c>, <c>id</c> (when the
/// request had one), <c>parameters</c> (the served version, bundle digest, environment commit, who
/// answered and why a fallback did) and one output tensor per output asked for. It is written on every
/// request, so it skips building response objects for a serializer to walk.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Id">The request's id, echoed.</param>
/// <param name="Answer">The predictions and where they came from.</param>
/// <param name="Outputs">The outputs to write, in order: those the request asked for, or all of the model's.</param>
internal sealed record V2InferResult(string Model, string? Id, ServedBatch Answer, IReadOnlyList<V2Output> Outputs) : IResult
{
    /// <summary>Whether <c>parameters.prediction_ids</c> lists each row's prediction id (made from <see cref="Id"/>; when the prediction log is on).</summary>
    public bool PredictionIds { get; init; }

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
        writer.WriteString("served_by"u8, ServedRoleNames.Of(Answer.Role));
        writer.WriteString("fallback_reason"u8, Answer.Reason);
        if (PredictionIds && Id is not null)
        {
            writer.WriteStartArray("prediction_ids"u8);
            for (var i = 0; i < Answer.Predictions.Count; i++)
            {
                writer.WriteStringValue(Mlops.Runtime.Monitoring.Predictions.PredictionIds.Of(Id, i, Answer.Predictions.Count));
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();

        var predictions = Answer.Predictions;
        writer.WriteStartArray("outputs"u8);
        foreach (var output in Outputs)
        {
            WriteOutput(writer, output, predictions);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOutput(Utf8JsonWriter writer, V2Output output, BatchPredictions predictions)
    {
        var count = predictions.Count;
        if (output.PerClass)
        {
            var classes = predictions.Classes;
            writer.WriteStartObject();
            writer.WriteString("name"u8, output.Name);
            writer.WriteStartArray("shape"u8);
            writer.WriteNumberValue(count);
            writer.WriteNumberValue(classes.Count);
            writer.WriteEndArray();
            writer.WriteString("datatype"u8, output.Datatype);
            writer.WriteStartObject("parameters"u8);
            writer.WriteStartArray("classes"u8);
            foreach (var name in classes)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("data"u8);
            foreach (var probability in predictions.ClassProbabilities ?? [])
            {
                writer.WriteNumberValue(probability);
            }

            EndOutput(writer);
            return;
        }

        StartOutput(writer, output.Name, output.Datatype, count);
        switch (output.Name, output.Datatype)
        {
            case (V2Outputs.Predicted, "BOOL"):
                for (var i = 0; i < count; i++)
                {
                    writer.WriteBooleanValue(predictions.IsPositive?[i] ?? predictions.Scores[i] > 0);
                }

                break;
            case (V2Outputs.Predicted, "BYTES"):
                for (var i = 0; i < count; i++)
                {
                    writer.WriteStringValue(predictions.PredictedLabels?[i]);
                }

                break;
            case (V2Outputs.Probability, _):
                for (var i = 0; i < count; i++)
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

                break;
            default:
                foreach (var score in predictions.Scores)
                {
                    writer.WriteNumberValue(score);
                }

                break;
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
