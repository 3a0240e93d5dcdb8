using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Runtime.Scoring;

/// <summary>One <see cref="PredictionEngine{TSrc,TDst}"/> with its own input row and output object: not thread-safe, so pooled.</summary>
internal abstract class ScoringEngine
{
    public abstract object Row { get; }

    /// <summary>Scores <see cref="Row"/> and writes the answer into row <paramref name="index"/> of <paramref name="into"/>.</summary>
    public abstract void Predict(PredictionArrays into, int index);

    /// <summary>Scores another row of the same type (used to check a faster path against ML.NET).</summary>
    public abstract void Predict(object row, PredictionArrays into, int index);
}

internal sealed class ScoringEngine<TRow, TOut> : ScoringEngine
    where TRow : class
    where TOut : class, new()
{
    private readonly PredictionEngine<TRow, TOut> _engine;
    private readonly TRow _row;
    private readonly Action<TOut, PredictionArrays, int> _convert;
    private TOut _output = new();

    public ScoringEngine(MLContext context, ITransformer model, FeatureRowType rowType, Action<TOut, PredictionArrays, int> convert)
    {
        _engine = context.Model.CreatePredictionEngine<TRow, TOut>(model, ignoreMissingColumns: true);
        _row = (TRow)rowType.NewRow();
        _convert = convert;
    }

    public override object Row => _row;

    public override void Predict(PredictionArrays into, int index)
    {
        _engine.Predict(_row, ref _output);
        _convert(_output, into, index);
    }

    public override void Predict(object row, PredictionArrays into, int index)
    {
        _engine.Predict((TRow)row, ref _output);
        _convert(_output, into, index);
    }
}

/// <summary>Output of a binary classifier without calibration.</summary>
public sealed class BinaryOutput
{
    /// <summary>The predicted class.</summary>
    public bool PredictedLabel;

    /// <summary>The raw score.</summary>
    public float Score;
}

/// <summary>Output of a calibrated binary classifier.</summary>
public sealed class CalibratedBinaryOutput
{
    /// <summary>The predicted class.</summary>
    public bool PredictedLabel;

    /// <summary>The raw score.</summary>
    public float Score;

    /// <summary>The probability of the positive class.</summary>
    public float Probability;
}

/// <summary>Output of a multiclass classifier.</summary>
public sealed class MulticlassOutput
{
    /// <summary>The predicted class as a 1-based key; 0 is none.</summary>
    public uint PredictedLabel;

    /// <summary>Each class's probability, in key order.</summary>
    public float[] Score = [];
}

/// <summary>Output of a regression model.</summary>
public sealed class RegressionOutput
{
    /// <summary>The predicted value.</summary>
    public float Score;
}
