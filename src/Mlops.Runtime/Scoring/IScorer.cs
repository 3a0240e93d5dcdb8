namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores one row of named features. ML.NET models (<see cref="ModelScorer"/>) and ONNX models
/// (<see cref="OnnxScorer"/>) implement it, so serving does not care which format a bundle holds.
/// Implementations are safe to share between threads.
/// </summary>
public interface IScorer
{
    /// <summary>What the model predicts.</summary>
    PredictionKind Kind { get; }

    /// <summary>Scores one row given as feature name to value; a feature left out is missing.</summary>
    /// <exception cref="ArgumentException">A name is not a feature of the model, or a value does not fit it.</exception>
    Prediction Score(IReadOnlyDictionary<string, object?> features);
}
