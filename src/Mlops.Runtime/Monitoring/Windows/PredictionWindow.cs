using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Monitoring.Windows;

/// <summary>
/// The outputs a version gave during a window, kept as columns like features so that the prediction
/// distribution is compared with the reference by the same statistics: <c>probability</c> (a number)
/// and <c>predicted</c> (<c>true</c>/<c>false</c>) for binary models, <c>predicted</c> (the class) for
/// multiclass models, <c>score</c> for regression. The columns are made from the first batch.
/// </summary>
internal sealed class PredictionWindow(int sampleSize, ulong seed)
{
    private ColumnWindow? _number;
    private ColumnWindow? _label;

    public void Add(BatchPredictions predictions)
    {
        if (_number is null && _label is null)
        {
            if (predictions.PredictedLabels is not null)
            {
                _label = new ColumnWindow("predicted", DriftKind.Category, sampleSize, seed ^ 0xFF);
            }
            else if (predictions.IsPositive is not null)
            {
                _number = new ColumnWindow(predictions.Probabilities is null ? "score" : "probability", DriftKind.Number, sampleSize, seed ^ 0xFE);
                _label = new ColumnWindow("predicted", DriftKind.Category, sampleSize, seed ^ 0xFF);
            }
            else
            {
                _number = new ColumnWindow("score", DriftKind.Number, sampleSize, seed ^ 0xFE);
            }
        }

        for (var r = 0; r < predictions.Count; r++)
        {
            _number?.Add(predictions.Probabilities is { } p ? p[r] : predictions.Scores[r]);
            _label?.Add(predictions.PredictedLabels is { } l ? l[r] : predictions.IsPositive is { } b ? (b[r] ? "true" : "false") : null);
        }
    }

    public IEnumerable<ColumnWindow> Columns()
    {
        if (_number is not null)
        {
            yield return _number;
        }

        if (_label is not null)
        {
            yield return _label;
        }
    }
}
