namespace Mlops.Runtime.Evaluation;

/// <summary>
/// The task metrics, computed from labels and predictions so that any subset of rows (a slice with one
/// class, say) gets every metric that is defined on it. AUC, accuracy, precision, recall and F1 agree
/// with ML.NET's evaluators; PR-AUC is average precision and log-loss uses natural logarithms, as in
/// scikit-learn; Brier is scikit-learn's <c>brier_score_loss</c>. Evaluation (holdout) and serving (live feedback) both compute them here, so a
/// live figure means what the training figure next to it means.
/// </summary>
public static class TaskMetrics
{
    /// <summary>How far probabilities are kept from 0 and 1 before a logarithm.</summary>
    internal const double Epsilon = 1e-15;

    /// <summary>The number of equal-width probability bins expected calibration error uses (<see cref="RankedBinaryPredictions"/>).</summary>
    public const int CalibrationBins = 10;

    /// <summary>Binary metrics: accuracy, precision, recall, F1, PR-AUC and AUC where defined; log-loss, Brier and ECE when there are probabilities.</summary>
    /// <param name="labels">The true classes.</param>
    /// <param name="scores">The raw scores (ranked for AUC).</param>
    /// <param name="probabilities">The positive class's probabilities, or null.</param>
    /// <param name="predicted">The predicted classes.</param>
    public static (Dictionary<string, double> Metrics, ConfusionMatrix Confusion) Binary(
        IReadOnlyList<bool> labels, IReadOnlyList<float> scores, IReadOnlyList<float>? probabilities, IReadOnlyList<bool> predicted) =>
        new RankedBinaryPredictions(labels, scores, probabilities, predicted).Metrics();

    /// <summary>Multiclass metrics: micro and macro accuracy and log-loss, and per-class precision, recall and F1.</summary>
    /// <param name="classes">The classes, in the model's order.</param>
    /// <param name="labels">Each row's true class, as an index into <paramref name="classes"/>.</param>
    /// <param name="scores">Each row's probabilities, class by class.</param>
    /// <param name="predicted">Each row's predicted class index, or -1.</param>
    public static (Dictionary<string, double> Metrics, List<ClassMetrics> Classes) Multiclass(
        IReadOnlyList<string> classes, IReadOnlyList<int> labels, IReadOnlyList<float[]> scores, IReadOnlyList<int> predicted)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var perClass = new List<ClassMetrics>();
        if (labels.Count == 0)
        {
            return (metrics, perClass);
        }

        var correct = 0;
        var loss = 0.0;
        var support = new int[classes.Count];
        var predictedCount = new int[classes.Count];
        var hits = new int[classes.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            support[labels[i]]++;
            if (predicted[i] >= 0)
            {
                predictedCount[predicted[i]]++;
            }

            if (predicted[i] == labels[i])
            {
                correct++;
                hits[labels[i]]++;
            }

            var p = labels[i] < scores[i].Length ? scores[i][labels[i]] : 0;
            loss -= Math.Log(Math.Clamp(p, Epsilon, 1 - Epsilon));
        }

        metrics[MetricNames.MicroAccuracy] = (double)correct / labels.Count;
        var recalls = new List<double>();
        for (var c = 0; c < classes.Count; c++)
        {
            var precision = predictedCount[c] == 0 ? 0 : (double)hits[c] / predictedCount[c];
            var recall = support[c] == 0 ? 0 : (double)hits[c] / support[c];
            if (support[c] > 0)
            {
                recalls.Add(recall);
            }

            perClass.Add(new ClassMetrics(classes[c], support[c], precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)));
        }

        metrics[MetricNames.MacroAccuracy] = recalls.Average();
        metrics[MetricNames.LogLoss] = loss / labels.Count;
        return (metrics, perClass);
    }

    /// <summary>Regression metrics: RMSE, MAE, and R2 when the labels vary.</summary>
    /// <param name="labels">The true values.</param>
    /// <param name="scores">The predicted values.</param>
    public static Dictionary<string, double> Regression(IReadOnlyList<float> labels, IReadOnlyList<float> scores)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (labels.Count == 0)
        {
            return metrics;
        }

        double squared = 0, absolute = 0, mean = labels.Average(l => (double)l), total = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var error = (double)scores[i] - labels[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (labels[i] - mean) * (labels[i] - mean);
        }

        metrics[MetricNames.Rmse] = Math.Sqrt(squared / labels.Count);
        metrics[MetricNames.Mae] = absolute / labels.Count;
        if (total > 0)
        {
            metrics[MetricNames.R2] = 1 - (squared / total);
        }

        return metrics;
    }
}
