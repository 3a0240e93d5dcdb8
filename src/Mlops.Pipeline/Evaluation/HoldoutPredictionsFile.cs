using Mlops.Runtime.Data;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// Writes <c>mlops evaluate --predictions FILE</c>: one line per holdout row, with the row's line in
/// the data file, its entity key when the feature set has one, its label, and the prediction columns
/// <c>mlops predict</c> writes, so the two can be compared and errors inspected row by row.
/// </summary>
internal static class HoldoutPredictionsFile
{
    public static async Task WriteAsync(string path, TrainingData data, FeatureBatch holdout, BatchPredictions predictions, CancellationToken cancellationToken)
    {
        var kind = predictions.ClassProbabilities is not null ? PredictionKind.Multiclass
            : predictions.IsPositive is not null ? PredictionKind.Binary
            : PredictionKind.Regression;
        var temporary = path + ".tmp";
        var entity = data.FeatureSet.Value.Entity;
        await using (var writer = new StreamWriter(temporary))
        {
            var csv = new CsvWriter(writer);
            csv.Record(["line", .. entity is null ? Array.Empty<string>() : [entity], data.Model.Value.Label.Column, .. PredictionColumns.Names(kind, predictions.Classes)]);
            for (var i = 0; i < holdout.RowCount; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = data.Holdout[i];
                csv.Field(data.Lines[row]);
                if (entity is not null)
                {
                    csv.Field(data.SplitKeys[row]);
                }

                csv.Field(data.Labels[row]);
                PredictionColumns.Write(csv, kind, predictions, i);
                csv.EndRecord();
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}
