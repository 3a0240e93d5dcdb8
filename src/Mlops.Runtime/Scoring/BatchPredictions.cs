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
/// <param name="ClassProbabilities">Multiclass: every class's probability for each row, row after row (<c>[row * K + k]</c> for class <c>Classes[k]</c>); otherwise null.</param>
/// <param name="Classes">Multiclass: the classes in the model's order; otherwise empty.</param>
public sealed record BatchPredictions(
    float[] Scores,
    float[]? Probabilities,
    bool[]? IsPositive,
    string?[]? PredictedLabels,
    float[]? ClassProbabilities,
    IReadOnlyList<string> Classes)
{
    /// <summary>How many rows.</summary>
    public int Count => Scores.Length;

    /// <summary>One row's prediction.</summary>
    /// <param name="row">The row, from 0.</param>
    public Prediction this[int row] => new(Scores[row], Probabilities?[row], IsPositive?[row], PredictedLabels?[row], ClassScores(row));

    /// <summary>Multiclass: one row's probabilities, class by class in <see cref="Classes"/> order; empty otherwise.</summary>
    /// <param name="row">The row, from 0.</param>
    public ReadOnlySpan<float> ClassProbabilitiesOf(int row) =>
        ClassProbabilities is { } all ? all.AsSpan(row * Classes.Count, Classes.Count) : default;

    /// <summary>Row <paramref name="row"/> alone, as a batch of one.</summary>
    /// <param name="row">The row, from 0.</param>
    public BatchPredictions Row(int row) => new(
        [Scores[row]],
        Probabilities is { } p ? [p[row]] : null,
        IsPositive is { } b ? [b[row]] : null,
        PredictedLabels is { } l ? [l[row]] : null,
        ClassProbabilities is null ? null : ClassProbabilitiesOf(row).ToArray(),
        Classes);

    /// <summary>The same prediction for each of <paramref name="count"/> rows (a constant fallback).</summary>
    /// <param name="prediction">The prediction.</param>
    /// <param name="count">How many rows.</param>
    public static BatchPredictions Repeat(Prediction prediction, int count)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        return new BatchPredictions(
            Filled(prediction.Score, count),
            prediction.Probability is { } p ? Filled(p, count) : null,
            prediction.IsPositive is { } b ? Filled(b, count) : null,
            prediction.PredictedLabel is { } l ? Filled<string?>(l, count) : null,
            null,
            []);
    }

    /// <summary>The batches' rows, in order, as one (dynamic batching splits and joins).</summary>
    /// <param name="batches">Predictions of one model.</param>
    public static BatchPredictions Concat(IReadOnlyList<BatchPredictions> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 1)
        {
            return batches[0];
        }

        var first = batches[0];
        return new BatchPredictions(
            [.. batches.SelectMany(b => b.Scores)],
            batches.All(b => b.Probabilities is not null) ? [.. batches.SelectMany(b => b.Probabilities!)] : null,
            batches.All(b => b.IsPositive is not null) ? [.. batches.SelectMany(b => b.IsPositive!)] : null,
            batches.All(b => b.PredictedLabels is not null) ? [.. batches.SelectMany(b => b.PredictedLabels!)] : null,
            batches.All(b => b.ClassProbabilities is not null) ? [.. batches.SelectMany(b => b.ClassProbabilities!)] : null,
            first.Classes);
    }

    private IReadOnlyDictionary<string, float>? ClassScores(int row)
    {
        if (ClassProbabilities is null)
        {
            return null;
        }

        var scores = new Dictionary<string, float>(Classes.Count, StringComparer.Ordinal);
        var probabilities = ClassProbabilitiesOf(row);
        for (var k = 0; k < Classes.Count; k++)
        {
            scores[Classes[k]] = probabilities[k];
        }

        return scores;
    }

    private static T[] Filled<T>(T value, int count)
    {
        var values = new T[count];
        values.AsSpan().Fill(value);
        return values;
    }
}

/// <summary>Collects a scorer's answers row by row into the arrays of a <see cref="BatchPredictions"/>.</summary>
internal sealed class PredictionArrays
{
    /// <summary>Room for <paramref name="count"/> rows of a model's kind of output.</summary>
    public PredictionArrays(PredictionKind kind, bool hasProbability, IReadOnlyList<string> classes, int count)
    {
        Scores = new float[count];
        Probabilities = kind == PredictionKind.Binary && hasProbability ? new float[count] : null;
        IsPositive = kind == PredictionKind.Binary ? new bool[count] : null;
        Labels = kind == PredictionKind.Multiclass ? new string?[count] : null;
        ClassProbabilities = kind == PredictionKind.Multiclass ? new float[count * classes.Count] : null;
        Classes = classes;
    }

    public float[] Scores { get; }

    public float[]? Probabilities { get; }

    public bool[]? IsPositive { get; }

    public string?[]? Labels { get; }

    public float[]? ClassProbabilities { get; }

    public IReadOnlyList<string> Classes { get; }

    public BatchPredictions ToBatch() => new(Scores, Probabilities, IsPositive, Labels, ClassProbabilities, Classes);
}
