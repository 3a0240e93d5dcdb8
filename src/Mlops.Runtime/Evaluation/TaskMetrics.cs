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
    private const double Epsilon = 1e-15;

    /// <summary>The number of equal-width probability bins <see cref="ExpectedCalibrationError"/> uses.</summary>
    public const int CalibrationBins = 10;

    /// <summary>Binary metrics: accuracy, precision, recall, F1, PR-AUC and AUC where defined; log-loss, Brier and ECE when there are probabilities.</summary>
    /// <param name="labels">The true classes.</param>
    /// <param name="scores">The raw scores (ranked for AUC).</param>
    /// <param name="probabilities">The positive class's probabilities, or null.</param>
    /// <param name="predicted">The predicted classes.</param>
    public static (Dictionary<string, double> Metrics, ConfusionMatrix Confusion) Binary(
        IReadOnlyList<bool> labels, IReadOnlyList<float> scores, IReadOnlyList<float>? probabilities, IReadOnlyList<bool> predicted)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            switch (labels[i], predicted[i])
            {
                case (true, true): tp++; break;
                case (false, true): fp++; break;
                case (false, false): tn++; break;
                default: fn++; break;
            }
        }

        var positives = tp + fn;
        var negatives = tn + fp;
        if (labels.Count > 0)
        {
            metrics[MetricNames.Accuracy] = (double)(tp + tn) / labels.Count;
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        metrics[MetricNames.Precision] = precision;
        if (positives > 0)
        {
            var recall = (double)tp / positives;
            metrics[MetricNames.Recall] = recall;
            metrics[MetricNames.F1] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            metrics[MetricNames.PrAuc] = AveragePrecision(labels, scores);
            if (negatives > 0)
            {
                metrics[MetricNames.Auc] = Auc(labels, scores);
            }
        }

        if (probabilities is not null && labels.Count > 0)
        {
            var loss = 0.0;
            for (var i = 0; i < labels.Count; i++)
            {
                var p = Math.Clamp((double)probabilities[i], Epsilon, 1 - Epsilon);
                loss -= Math.Log(labels[i] ? p : 1 - p);
            }

            metrics[MetricNames.LogLoss] = loss / labels.Count;
            metrics[MetricNames.Brier] = Brier(labels, probabilities);
            metrics[MetricNames.Ece] = ExpectedCalibrationError(labels, probabilities);
        }

        return (metrics, new ConfusionMatrix(tp, fp, tn, fn));
    }

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

    /// <summary>Brier score: the mean over rows of (p - y)^2, p the positive class's probability and y 1 for a positive row, else 0.</summary>
    internal static double Brier(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities)
    {
        var sum = 0.0;
        for (var i = 0; i < labels.Count; i++)
        {
            var error = (double)probabilities[i] - (labels[i] ? 1 : 0);
            sum += error * error;
        }

        return sum / labels.Count;
    }

    /// <summary>
    /// Expected calibration error (Naeini et al. 2015; Guo et al. 2017) on the positive class's probability:
    /// rows fall into <see cref="CalibrationBins"/> equal-width bins [0, 0.1), [0.1, 0.2), ... [0.9, 1];
    /// ECE is the sum over non-empty bins of (rows in bin / rows) times |share of positives in bin - mean probability in bin|.
    /// </summary>
    internal static double ExpectedCalibrationError(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities)
    {
        var count = new int[CalibrationBins];
        var positives = new double[CalibrationBins];
        var confidence = new double[CalibrationBins];
        for (var i = 0; i < labels.Count; i++)
        {
            var p = Math.Clamp((double)probabilities[i], 0, 1);
            var bin = Math.Min((int)(p * CalibrationBins), CalibrationBins - 1);
            count[bin]++;
            confidence[bin] += p;
            positives[bin] += labels[i] ? 1 : 0;
        }

        var ece = 0.0;
        for (var b = 0; b < CalibrationBins; b++)
        {
            if (count[b] > 0)
            {
                ece += (double)count[b] / labels.Count * Math.Abs((positives[b] / count[b]) - (confidence[b] / count[b]));
            }
        }

        return ece;
    }

    /// <summary>The probability that a random positive scores above a random negative, ties counting half (Mann-Whitney U).</summary>
    internal static double Auc(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            var rank = ((start + end) / 2.0) + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }

            start = end + 1;
        }

        long negatives = labels.Count - positives;
        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>Average precision: the sum over score thresholds of precision times the recall gained.</summary>
    internal static double AveragePrecision(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderByDescending(i => scores[i]).ToArray();
        var positives = labels.Count(l => l);
        double sum = 0, previousRecall = 0;
        long tp = 0, seen = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }

            for (var k = start; k <= end; k++)
            {
                seen++;
                if (labels[order[k]])
                {
                    tp++;
                }
            }

            var recall = (double)tp / positives;
            sum += (recall - previousRecall) * ((double)tp / seen);
            previousRecall = recall;
            start = end + 1;
        }

        return sum;
    }
}
