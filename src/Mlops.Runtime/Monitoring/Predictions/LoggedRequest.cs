using Mlops.Runtime.Features;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring.Predictions;

/// <summary>
/// One request's rows and answers as handed to the prediction log's writer: the request thread only
/// copies the checked rows (<see cref="FeatureBatch.Copy"/>) and keeps references; the writer turns
/// them into JSON lines later.
/// </summary>
/// <param name="Id">The request's prediction id: the id of its only row, or the stem of per-row ids (<c>ID/0</c>, <c>ID/1</c>, ...).</param>
/// <param name="RowIds">Per-row ids when the request drew its own (the named-feature endpoint); null derives them from <paramref name="Id"/>.</param>
/// <param name="Time">When the prediction was made.</param>
/// <param name="Schema">The schema that checked the rows (each feature's sensitivity).</param>
/// <param name="Features">A copy of the checked rows.</param>
/// <param name="Answer">The predictions and who made them.</param>
public sealed record LoggedRequest(string Id, IReadOnlyList<string>? RowIds, DateTimeOffset Time, InputSchema Schema, FeatureBatch Features, ServedBatch Answer)
{
    /// <summary>The prediction id of one row: as drawn, the request's id for a single row, else <c>ID/row</c>.</summary>
    /// <param name="row">The row, from 0.</param>
    public string RowId(int row) => RowIds is { } ids ? ids[row] : PredictionIds.Of(Id, row, Features.RowCount);
}

/// <summary>How prediction ids are made from a request id: the id itself for a one-row request, <c>ID/ROW</c> for each row of a larger one.</summary>
public static class PredictionIds
{
    /// <summary>The id of row <paramref name="row"/> of a request of <paramref name="rowCount"/> rows.</summary>
    /// <param name="requestId">The request's id.</param>
    /// <param name="row">The row, from 0.</param>
    /// <param name="rowCount">The request's rows.</param>
    public static string Of(string requestId, int row, int rowCount) =>
        rowCount == 1 ? requestId : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{requestId}/{row}");
}

/// <summary>A true label sent as feedback: a class for binary models (true/false), a class name for multiclass, a number for regression.</summary>
/// <param name="Kind">Which of the values is set.</param>
/// <param name="Bool">The binary class.</param>
/// <param name="Text">The multiclass class.</param>
/// <param name="Number">The regression value.</param>
public readonly record struct FeedbackLabel(FeedbackLabelKind Kind, bool Bool, string? Text, double Number)
{
    /// <summary>A binary label.</summary>
    public static FeedbackLabel Of(bool value) => new(FeedbackLabelKind.Bool, value, null, 0);

    /// <summary>A multiclass label.</summary>
    public static FeedbackLabel Of(string value) => new(FeedbackLabelKind.Text, false, value, 0);

    /// <summary>A regression label.</summary>
    public static FeedbackLabel Of(double value) => new(FeedbackLabelKind.Number, false, null, value);

    /// <summary>Reads a label from JSON: true/false, a string or a number; null for anything else.</summary>
    /// <param name="json">The value.</param>
    public static FeedbackLabel? Read(System.Text.Json.JsonElement json) => json.ValueKind switch
    {
        System.Text.Json.JsonValueKind.True => Of(true),
        System.Text.Json.JsonValueKind.False => Of(false),
        System.Text.Json.JsonValueKind.String when json.GetString() is { Length: > 0 } text => Of(text),
        System.Text.Json.JsonValueKind.Number when json.TryGetDouble(out var number) && double.IsFinite(number) => Of(number),
        _ => null,
    };

    /// <summary>Writes the label as a JSON value.</summary>
    /// <param name="writer">The writer.</param>
    public void Write(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (Kind)
        {
            case FeedbackLabelKind.Bool: writer.WriteBooleanValue(Bool); break;
            case FeedbackLabelKind.Text: writer.WriteStringValue(Text); break;
            default: writer.WriteNumberValue(Number); break;
        }
    }
}

/// <summary>The kind of a <see cref="FeedbackLabel"/>.</summary>
public enum FeedbackLabelKind
{
    /// <summary>true or false (binary classification).</summary>
    Bool,

    /// <summary>A class name (multiclass classification).</summary>
    Text,

    /// <summary>A number (regression).</summary>
    Number,
}

/// <summary>Feedback to append to the log.</summary>
/// <param name="Id">The prediction id.</param>
/// <param name="Time">When the feedback arrived.</param>
/// <param name="Label">The true label.</param>
public sealed record LoggedFeedback(string Id, DateTimeOffset Time, FeedbackLabel Label);
