namespace Mlops.Runtime.Evaluation;

/// <summary>
/// A binary model's predictions on a fixed set of rows, sorted by score once, so that the metrics of any
/// multiset of those rows (a bootstrap resample, given as how many times each row was drawn) cost O(n) instead
/// of a sort per resample. A row drawn k times counts as k rows everywhere: in the confusion matrix, in the
/// rank sum of AUC (ties share their mid-rank, exactly as on the expanded rows) and in the averages.
/// <see cref="TaskMetrics.Binary"/> is this type with every row counted once.
/// </summary>
public sealed class RankedBinaryPredictions
{
    private readonly bool[] _labels;
    private readonly float[]? _probabilities;
    private readonly bool[] _predicted;

    /// <summary>Each row's terms of the probability metrics, computed once: its log-loss, its squared error (Brier) and its calibration bin.</summary>
    private readonly double[] _logLoss = [];
    private readonly double[] _squaredError = [];
    private readonly int[] _bin = [];

    /// <summary>Row indices by ascending score.</summary>
    private readonly int[] _order;

    /// <summary>For each position of <see cref="_order"/>, the position one past its tie group (rows of equal score).</summary>
    private readonly int[] _groupEnd;

    /// <summary>Sorts the rows by score.</summary>
    /// <param name="labels">The true classes.</param>
    /// <param name="scores">The raw scores (ranked for AUC and PR-AUC).</param>
    /// <param name="probabilities">The positive class's probabilities, or null.</param>
    /// <param name="predicted">The predicted classes.</param>
    public RankedBinaryPredictions(IReadOnlyList<bool> labels, IReadOnlyList<float> scores, IReadOnlyList<float>? probabilities, IReadOnlyList<bool> predicted)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(predicted);
        _labels = [.. labels];
        _probabilities = probabilities is null ? null : [.. probabilities];
        _predicted = [.. predicted];
        if (_probabilities is { } p)
        {
            _logLoss = new double[p.Length];
            _squaredError = new double[p.Length];
            _bin = new int[p.Length];
            for (var i = 0; i < p.Length; i++)
            {
                var clamped = Math.Clamp((double)p[i], TaskMetrics.Epsilon, 1 - TaskMetrics.Epsilon);
                _logLoss[i] = -Math.Log(_labels[i] ? clamped : 1 - clamped);
                var error = (double)p[i] - (_labels[i] ? 1 : 0);
                _squaredError[i] = error * error;
                _bin[i] = Math.Min((int)(Math.Clamp((double)p[i], 0, 1) * TaskMetrics.CalibrationBins), TaskMetrics.CalibrationBins - 1);
            }
        }
        var keys = scores.ToArray();
        _order = [.. Enumerable.Range(0, keys.Length)];
        Array.Sort(keys, _order);
        _groupEnd = new int[keys.Length];
        var start = 0;
        while (start < keys.Length)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            _groupEnd.AsSpan(start, end - start).Fill(end);
            start = end;
        }
    }

    /// <summary>The number of rows.</summary>
    public int Count => _labels.Length;

    /// <summary>The metrics of the rows, each counted <paramref name="weights"/>[i] times (all once when empty); see <see cref="TaskMetrics.Binary"/>.</summary>
    /// <param name="weights">How many times each row counts, by row index; empty counts every row once.</param>
    public (Dictionary<string, double> Metrics, ConfusionMatrix Confusion) Metrics(ReadOnlySpan<int> weights = default)
    {
        if (!weights.IsEmpty && weights.Length != Count)
        {
            throw new ArgumentException($"{weights.Length} weights for {Count} rows.", nameof(weights));
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < Count; i++)
        {
            long w = weights.IsEmpty ? 1 : weights[i];
            switch (_labels[i], _predicted[i])
            {
                case (true, true): tp += w; break;
                case (false, true): fp += w; break;
                case (false, false): tn += w; break;
                default: fn += w; break;
            }
        }

        var positives = tp + fn;
        var negatives = tn + fp;
        var total = positives + negatives;
        if (total > 0)
        {
            metrics[MetricNames.Accuracy] = (double)(tp + tn) / total;
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        metrics[MetricNames.Precision] = precision;
        if (positives > 0)
        {
            var recall = (double)tp / positives;
            metrics[MetricNames.Recall] = recall;
            metrics[MetricNames.F1] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            metrics[MetricNames.PrAuc] = AveragePrecision(weights, positives);
            if (negatives > 0)
            {
                metrics[MetricNames.Auc] = Auc(weights, positives, negatives);
            }
        }

        if (_probabilities is not null && total > 0)
        {
            metrics[MetricNames.LogLoss] = WeightedSum(_logLoss, weights) / total;
            metrics[MetricNames.Brier] = WeightedSum(_squaredError, weights) / total;
            metrics[MetricNames.Ece] = ExpectedCalibrationError(weights, total);
        }

        return (metrics, new ConfusionMatrix(tp, fp, tn, fn));
    }

    /// <summary>The probability that a random positive scores above a random negative, ties counting half (Mann-Whitney U from the rank sum, mid-ranks for ties).</summary>
    private double Auc(ReadOnlySpan<int> weights, long positives, long negatives)
    {
        // Ranks are half-integers and their sums stay far below 2^53, so the sum is exact however it is grouped.
        double rankSum = 0;
        long before = 0;
        var start = 0;
        while (start < _order.Length)
        {
            var end = _groupEnd[start];
            var (count, positive) = Drawn(start, end, weights);
            rankSum += positive * (before + ((count + 1) / 2.0));
            before += count;
            start = end;
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>Average precision: the sum over score thresholds, highest first, of precision times the recall gained.</summary>
    private double AveragePrecision(ReadOnlySpan<int> weights, long positives)
    {
        double sum = 0, previousRecall = 0;
        long tp = 0, seen = 0;
        var end = _order.Length;
        while (end > 0)
        {
            var start = end - 1;
            while (start > 0 && _groupEnd[start - 1] == end)
            {
                start--;
            }

            var (count, positive) = Drawn(start, end, weights);
            end = start;
            if (count == 0)
            {
                continue; // a threshold no drawn row sits at adds nothing
            }

            seen += count;
            tp += positive;
            var recall = (double)tp / positives;
            sum += (recall - previousRecall) * ((double)tp / seen);
            previousRecall = recall;
        }

        return sum;
    }

    /// <summary>The rows at sorted positions [start, end) (one tie group), and the positive ones among them, each counted as often as drawn.</summary>
    private (long Count, long Positive) Drawn(int start, int end, ReadOnlySpan<int> weights)
    {
        long count = 0, positive = 0;
        for (var k = start; k < end; k++)
        {
            var row = _order[k];
            long w = weights.IsEmpty ? 1 : weights[row];
            count += w;
            positive += _labels[row] ? w : 0;
        }

        return (count, positive);
    }

    /// <summary>The sum of the rows' terms, each counted as often as its row (the log-loss of all rows, or their Brier score, before dividing).</summary>
    private static double WeightedSum(double[] terms, ReadOnlySpan<int> weights)
    {
        var sum = 0.0;
        for (var i = 0; i < terms.Length; i++)
        {
            sum += (weights.IsEmpty ? 1 : weights[i]) * terms[i];
        }

        return sum;
    }

    /// <summary>
    /// Expected calibration error (Naeini et al. 2015; Guo et al. 2017) on the positive class's probability:
    /// rows fall into <see cref="TaskMetrics.CalibrationBins"/> equal-width bins [0, 0.1), [0.1, 0.2), ... [0.9, 1];
    /// ECE is the sum over non-empty bins of (rows in bin / rows) times |share of positives in bin - mean probability in bin|.
    /// </summary>
    private double ExpectedCalibrationError(ReadOnlySpan<int> weights, long total)
    {
        const int bins = TaskMetrics.CalibrationBins;
        Span<long> count = stackalloc long[bins];
        Span<double> positives = stackalloc double[bins];
        Span<double> confidence = stackalloc double[bins];
        for (var i = 0; i < Count; i++)
        {
            var w = weights.IsEmpty ? 1 : weights[i];
            var p = Math.Clamp((double)_probabilities![i], 0, 1);
            var bin = _bin[i];
            count[bin] += w;
            confidence[bin] += w * p;
            positives[bin] += _labels[i] ? w : 0;
        }

        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                ece += (double)count[b] / total * Math.Abs((positives[b] / count[b]) - (confidence[b] / count[b]));
            }
        }

        return ece;
    }
}
