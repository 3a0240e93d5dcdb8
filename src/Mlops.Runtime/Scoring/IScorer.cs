using Mlops.Runtime.Features;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores rows held by column. ML.NET models (<see cref="ModelScorer"/>) and ONNX models
/// (<see cref="OnnxScorer"/>) implement it, so nothing that scores cares which format a bundle holds.
/// A single row is a batch of one: there is one way in. Implementations are safe to share between threads.
/// </summary>
public interface IScorer
{
    /// <summary>What the model predicts.</summary>
    PredictionKind Kind { get; }

    /// <summary>Multiclass: the classes in the model's order (the columns of <see cref="BatchPredictions.ClassProbabilities"/>); otherwise empty.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>Scores every row of a batch; entry <c>i</c> of the answer belongs to row <c>i</c>. A column the batch did not send is missing in every row.</summary>
    /// <param name="batch">Checked rows, from <see cref="InputSchema"/>.</param>
    /// <returns>The predictions, by column.</returns>
    /// <exception cref="ArgumentException">The batch sends a column that is not a feature of the model; nothing is scored.</exception>
    BatchPredictions Score(FeatureBatch batch);
}
