using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring.Predictions;

/// <summary>
/// The prediction log's line format (docs/monitoring.md): one JSON object per line, <c>"type":"prediction"</c>
/// with id, time, model, version, digest, role, features and output, or <c>"type":"feedback"</c> with id,
/// time and label. Feature values are written as the request's checked values (null when missing);
/// a <c>sensitive: drop</c> feature is left out and a <c>sensitive: hash</c> one is written as
/// <c>sha256:</c> + the hex SHA-256 of its text (<see cref="ValueText(FeatureInput, FeatureBatch, int)"/>).
/// </summary>
public static class PredictionLogLines
{
    /// <summary>The file name prefix.</summary>
    public const string FilePrefix = "predictions-";

    /// <summary>The file name extension.</summary>
    public const string FileExtension = ".jsonl";

    /// <summary>The time stamp format of file names (UTC, milliseconds).</summary>
    public const string FileTimeFormat = "yyyyMMdd'T'HHmmssfff'Z'";

    /// <summary>The file name of a log started at <paramref name="time"/>.</summary>
    /// <param name="time">When the file was started.</param>
    public static string FileName(DateTimeOffset time) =>
        FilePrefix + time.UtcDateTime.ToString(FileTimeFormat, CultureInfo.InvariantCulture) + FileExtension;

    /// <summary>When a log file was started, read from its name; null when the name is not a log file's.</summary>
    /// <param name="fileName">The file's name (without folder).</param>
    public static DateTimeOffset? StartOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.StartsWith(FilePrefix, StringComparison.Ordinal) || !fileName.EndsWith(FileExtension, StringComparison.Ordinal))
        {
            return null;
        }

        var stamp = fileName[FilePrefix.Length..^FileExtension.Length];
        return DateTime.TryParseExact(stamp, FileTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : null;
    }

    /// <summary>
    /// A value as the log keeps it, as text: null when missing or dropped; the text of a category or
    /// text; <c>true</c>/<c>false</c> for a bool; the shortest round-trip form of a number; and for a
    /// hashed feature <c>sha256:</c> + the hex SHA-256 of that text's UTF-8 bytes.
    /// </summary>
    /// <param name="input">The feature.</param>
    /// <param name="batch">Checked rows of its schema.</param>
    /// <param name="row">The row.</param>
    public static string? ValueText(FeatureInput input, FeatureBatch batch, int row)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(batch);
        if (input.Sensitivity == FeatureSensitivity.Drop)
        {
            return null;
        }

        string? text;
        if (input.Kind == RowColumnKind.Number)
        {
            var number = batch.NumberAt(input.Index, row);
            text = float.IsNaN(number) ? null : input.Type == FeatureType.Bool ? (number == 1f ? "true" : "false") : number.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            text = batch.TextAt(input.Index, row);
        }

        return text is not null && input.Sensitivity == FeatureSensitivity.Hash ? Sha256Digest.OfText(text) : text;
    }

    /// <summary>A logged feature value (a property of a line's <c>features</c>) as text, as <see cref="ValueText(FeatureInput, FeatureBatch, int)"/> makes it: null when missing.</summary>
    /// <param name="value">The JSON value.</param>
    public static string? ValueText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    /// <summary>Writes the line of one row of a logged request (without the line break).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="request">The request.</param>
    /// <param name="row">The row.</param>
    public static void WritePrediction(Utf8JsonWriter writer, LoggedRequest request, int row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        var answer = request.Answer;
        writer.WriteStartObject();
        writer.WriteString("type"u8, "prediction"u8);
        writer.WriteString("id"u8, request.RowId(row));
        WriteTime(writer, request.Time);
        writer.WriteString("model"u8, answer.Model);
        writer.WriteNumber("version"u8, answer.Version);
        writer.WriteString("digest"u8, answer.Digest);
        writer.WriteString("role"u8, ServedRoleNames.Of(answer.Role));
        writer.WriteStartObject("features"u8);
        var batch = request.Features;
        foreach (var input in request.Schema.Inputs)
        {
            if (input.Sensitivity == FeatureSensitivity.Drop)
            {
                continue;
            }

            if (input.Sensitivity == FeatureSensitivity.Hash || input.Kind == RowColumnKind.Text)
            {
                writer.WriteString(input.Name, ValueText(input, batch, row));
                continue;
            }

            var number = batch.NumberAt(input.Index, row);
            if (float.IsNaN(number))
            {
                writer.WriteNull(input.Name);
            }
            else if (input.Type == FeatureType.Bool)
            {
                writer.WriteBoolean(input.Name, number == 1f);
            }
            else
            {
                writer.WriteNumber(input.Name, number);
            }
        }

        writer.WriteEndObject();
        var predictions = answer.Predictions;
        writer.WriteStartObject("output"u8);
        if (predictions.IsPositive is { } positive)
        {
            writer.WriteBoolean("predicted"u8, positive[row]);
        }
        else if (predictions.PredictedLabels is { } labels)
        {
            writer.WriteString("predicted"u8, labels[row]);
        }

        if (predictions.Probabilities is { } probabilities)
        {
            writer.WriteNumber("probability"u8, probabilities[row]);
        }

        if (predictions.ClassProbabilities is not null)
        {
            writer.WriteStartObject("probabilities"u8);
            var classes = predictions.Classes;
            var values = predictions.ClassProbabilitiesOf(row);
            for (var k = 0; k < classes.Count; k++)
            {
                writer.WriteNumber(classes[k], values[k]);
            }

            writer.WriteEndObject();
        }

        writer.WriteNumber("score"u8, predictions.Scores[row]);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a feedback line (without the line break).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="feedback">The feedback.</param>
    public static void WriteFeedback(Utf8JsonWriter writer, LoggedFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(feedback);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "feedback"u8);
        writer.WriteString("id"u8, feedback.Id);
        WriteTime(writer, feedback.Time);
        writer.WritePropertyName("label"u8);
        feedback.Label.Write(writer);
        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, DateTimeOffset time)
    {
        Span<char> text = stackalloc char[32];
        time.UtcDateTime.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        writer.WriteString("time"u8, text[..written]);
    }
}
