using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Training;

/// <summary>
/// The metrics of a K-fold cross-validation: each fold's metrics (the fold's model scored on the fold), and per metric
/// the mean across folds, the sample standard deviation (n - 1) and a 95% interval on the mean, Student's t:
/// mean ± t(0.975, K - 1) · sd / √K. A metric undefined on a fold (NaN, for example AUC on a fold of one class) is left
/// out of its summary; a summary of fewer than two values has no standard deviation or interval.
/// </summary>
/// <param name="Folds">Each fold's metrics, fold 1 first.</param>
/// <param name="FoldRows">The rows each fold scored.</param>
public sealed record CrossValidationResult(IReadOnlyList<IReadOnlyDictionary<string, double>> Folds, IReadOnlyList<int> FoldRows)
{
    /// <summary>The mean of each metric across folds.</summary>
    public IReadOnlyDictionary<string, double> Mean => Summary.Mean;

    /// <summary>The sample standard deviation (n - 1) of each metric across folds, for metrics with at least two fold values.</summary>
    public IReadOnlyDictionary<string, double> StandardDeviation => Summary.StandardDeviation;

    /// <summary>The 95% interval of each metric's mean (see the type's summary), for metrics with at least two fold values.</summary>
    public IReadOnlyDictionary<string, MetricInterval> Intervals => Summary.Intervals;

    private Summaries Summary { get; } = Summarise(Folds);

    /// <summary>The 95% interval of <paramref name="metric"/>'s mean, or null when it has fewer than two fold values.</summary>
    public MetricInterval? Interval(string metric) => Intervals.TryGetValue(metric, out var interval) ? interval : null;

    /// <summary>The values of <paramref name="metric"/> fold by fold (NaN where a fold lacks it).</summary>
    public IReadOnlyList<double> Values(string metric) => [.. Folds.Select(f => f.TryGetValue(metric, out var v) ? v : double.NaN)];

    private static Summaries Summarise(IReadOnlyList<IReadOnlyDictionary<string, double>> folds)
    {
        var mean = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var sd = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var intervals = new SortedDictionary<string, MetricInterval>(StringComparer.Ordinal);
        foreach (var name in folds.SelectMany(f => f.Keys).Distinct(StringComparer.Ordinal))
        {
            var values = folds.Select(f => f.TryGetValue(name, out var v) ? v : double.NaN).Where(v => !double.IsNaN(v)).ToArray();
            if (values.Length == 0)
            {
                continue;
            }

            var m = values.Average();
            mean[name] = m;
            if (values.Length < 2)
            {
                continue;
            }

            var s = Math.Sqrt(values.Sum(v => (v - m) * (v - m)) / (values.Length - 1));
            sd[name] = s;
            var half = StudentT.Quantile975(values.Length - 1) * s / Math.Sqrt(values.Length);
            intervals[name] = new MetricInterval(m - half, m + half);
        }

        return new Summaries(mean, sd, intervals);
    }

    private sealed record Summaries(
        IReadOnlyDictionary<string, double> Mean,
        IReadOnlyDictionary<string, double> StandardDeviation,
        IReadOnlyDictionary<string, MetricInterval> Intervals);
}
