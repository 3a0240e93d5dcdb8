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

    /// <summary>
    /// Scores several rows in one call; answer <c>i</c> belongs to row <c>i</c>. Dynamic batching
    /// (<see cref="Serving.Batching.DynamicBatcher"/>) gathers concurrent single rows into one such call.
    /// The default scores the rows one by one; a scorer overrides it when one call over many rows is
    /// cheaper than many calls.
    /// </summary>
    /// <param name="rows">The rows, each given as feature name to value.</param>
    /// <returns>One prediction per row, in the rows' order.</returns>
    /// <exception cref="ArgumentException">A row has a name that is not a feature, or a value that does not fit; the whole call fails.</exception>
    Prediction[] ScoreBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var predictions = new Prediction[rows.Count];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = Score(rows[i]);
        }

        return predictions;
    }

    /// <summary>
    /// Scores a batch of rows held by column (from <c>InputSchema.CheckColumns</c>); entry <c>i</c> of
    /// the answer belongs to row <c>i</c>. The default makes a row of each and calls
    /// <see cref="ScoreBatch(IReadOnlyList{IReadOnlyDictionary{string, object?}})"/>; a scorer that can
    /// work column by column overrides it.
    /// </summary>
    /// <param name="batch">The rows.</param>
    /// <returns>The predictions, by column.</returns>
    /// <exception cref="ArgumentException">A column is not a feature of the model, or a value does not fit; the whole call fails.</exception>
    BatchPredictions ScoreBatch(FeatureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return BatchPredictions.From(ScoreBatch(batch.Rows()));
    }
}
