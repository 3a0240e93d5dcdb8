namespace Mlops.Runtime.Scoring;

/// <summary>
/// Column names the framework reserves inside a model. Features keep their declared names; the label
/// and the assembled feature vector get names no CSV header is likely to use.
/// </summary>
public static class ModelColumns
{
    /// <summary>The label column of the training data: <c>__Label</c>. Serving rows do not have it.</summary>
    public const string Label = "__Label";

    /// <summary>The concatenated, encoded feature vector the trainer reads: <c>__Features</c>.</summary>
    public const string Features = "__Features";

    /// <summary>ML.NET's raw score column.</summary>
    public const string Score = "Score";

    /// <summary>ML.NET's calibrated probability column (binary classification).</summary>
    public const string Probability = "Probability";

    /// <summary>ML.NET's predicted label column (classification).</summary>
    public const string PredictedLabel = "PredictedLabel";
}
