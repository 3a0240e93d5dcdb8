namespace Mlops.Runtime.Scoring;

/// <summary>
/// What a model predicts for a batch of rows, held by column (the shape of the inference protocol's
/// output tensors): entry <c>i</c> of every array belongs to row <c>i</c>. <see cref="this[int]"/>
/// reads one row as a <see cref="Prediction"/>.
/// </summary>
/// <param name="Scores">Each row's <see cref="Prediction.Score"/>.</param>
/// <param name="Probabilities">Each row's probability, when every row has one (a calibrated binary model); otherwise null.</param>
/// <param name="IsPositive">Each row's predicted class, when every row has one (binary models); otherwise null.</param>
/// <param name="PredictedLabels">Multiclass: each row's predicted class; otherwise null.</param>
/// <param name="ClassScores">Multiclass: each row's class probabilities; otherwise null.</param>
public sealed record BatchPredictions(
    float[] Scores,
    float[]? Probabilities,
    bool[]? IsPositive,
    string?[]? PredictedLabels,
    IReadOnlyDictionary<string, float>?[]? ClassScores)
{
    /// <summary>How many rows.</summary>
    public int Count => Scores.Length;

    /// <summary>One row's prediction.</summary>
    /// <param name="row">The row, from 0.</param>
    public Prediction this[int row] => new(Scores[row], Probabilities?[row], IsPositive?[row], PredictedLabels?[row], ClassScores?[row]);

    /// <summary>The same predictions held by column.</summary>
    /// <param name="predictions">One prediction per row.</param>
    public static BatchPredictions From(IReadOnlyList<Prediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var count = predictions.Count;
        var scores = new float[count];
        var probabilities = new float[count];
        var positive = new bool[count];
        var labels = new string?[count];
        var classScores = new IReadOnlyDictionary<string, float>?[count];
        var (allProbabilities, allPositive, anyLabel, anyClassScores) = (true, true, false, false);
        for (var i = 0; i < count; i++)
        {
            var p = predictions[i];
            scores[i] = p.Score;
            probabilities[i] = p.Probability ?? float.NaN;
            positive[i] = p.IsPositive ?? false;
            labels[i] = p.PredictedLabel;
            classScores[i] = p.ClassScores;
            allProbabilities &= p.Probability is not null;
            allPositive &= p.IsPositive is not null;
            anyLabel |= p.PredictedLabel is not null;
            anyClassScores |= p.ClassScores is not null;
        }

        return new BatchPredictions(
            scores,
            allProbabilities && count > 0 ? probabilities : null,
            allPositive && count > 0 ? positive : null,
            anyLabel ? labels : null,
            anyClassScores ? classScores : null);
    }
}
