using Mlops.Runtime.Data;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Data;

/// <summary>
/// The columns a prediction adds to a row in a file (<c>mlops predict</c>'s output, <c>mlops
/// evaluate --predictions</c>): <c>prediction</c>, then <c>probability</c> and <c>score</c> for a binary
/// model, <c>score</c> and <c>probability:CLASS</c> for each class of a multiclass model, nothing more for
/// regression (the prediction is the value).
/// </summary>
internal static class PredictionColumns
{
    /// <summary>The column names for a model's kind of prediction.</summary>
    public static IReadOnlyList<string> Names(PredictionKind kind, IReadOnlyList<string> classes) => kind switch
    {
        PredictionKind.Binary => ["prediction", "probability", "score"],
        PredictionKind.Multiclass => ["prediction", "score", .. classes.Select(c => "probability:" + c)],
        _ => ["prediction"],
    };

    /// <summary>Writes one row's prediction fields, in the order of <see cref="Names"/>.</summary>
    public static void Write(CsvWriter csv, PredictionKind kind, BatchPredictions predictions, int row)
    {
        switch (kind)
        {
            case PredictionKind.Binary:
                csv.Field(predictions.IsPositive?[row] ?? predictions.Scores[row] > 0);
                csv.Field(predictions.Probabilities?[row] ?? float.NaN);
                csv.Field(predictions.Scores[row]);
                break;
            case PredictionKind.Multiclass:
                csv.Field(predictions.PredictedLabels?[row]);
                csv.Field(predictions.Scores[row]);
                foreach (var probability in predictions.ClassProbabilitiesOf(row))
                {
                    csv.Field(probability);
                }

                break;
            default:
                csv.Field(predictions.Scores[row]);
                break;
        }
    }
}
