namespace Mlops.Runtime.Scoring;

/// <summary>What a model predicts for one row (a row of <see cref="BatchPredictions"/>, or a declared constant).</summary>
/// <param name="Score">
/// Binary classification: the raw score (the margin; above 0 predicts the positive class).
/// Multiclass: the probability of the predicted class. Regression: the predicted value.
/// </param>
/// <param name="Probability">Binary classification with a calibrated trainer: the probability of the positive class; otherwise null.</param>
/// <param name="IsPositive">Binary classification: whether the positive class is predicted; otherwise null.</param>
/// <param name="PredictedLabel">Multiclass: the predicted class as written in the data; otherwise null.</param>
/// <param name="ClassScores">Multiclass: each class's probability, in the model's class order; otherwise null.</param>
public sealed record Prediction(
    float Score,
    float? Probability,
    bool? IsPositive,
    string? PredictedLabel,
    IReadOnlyDictionary<string, float>? ClassScores);

/// <summary>The kind of output a model produces, read from its output schema.</summary>
public enum PredictionKind
{
    /// <summary>Two classes: <c>PredictedLabel</c> (bool), <c>Score</c>, and <c>Probability</c> when calibrated.</summary>
    Binary,

    /// <summary>Several classes: <c>PredictedLabel</c> (a key) and a <c>Score</c> vector.</summary>
    Multiclass,

    /// <summary>A number: <c>Score</c>.</summary>
    Regression,
}
