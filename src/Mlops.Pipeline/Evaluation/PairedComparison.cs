using Mlops.Pipeline.Gates;

namespace Mlops.Pipeline.Evaluation;

/// <summary>What a paired comparison says about a candidate against the champion on one metric.</summary>
public enum PairedVerdict
{
    /// <summary>The interval of the difference (in the metric's better direction) lies above 0.</summary>
    Better,

    /// <summary>The interval of the difference contains 0.</summary>
    NotDistinguishable,

    /// <summary>The interval of the difference lies below 0.</summary>
    Worse,
}

/// <summary>
/// One metric of two models scored on the same rows: the difference candidate minus champion, turned so that a
/// positive difference is an improvement (<see cref="MetricDirection"/>: for a loss, champion minus candidate), and its
/// paired bootstrap interval (both models' metrics on the same resampled rows, the difference taken per resample).
/// </summary>
/// <param name="Metric">The metric.</param>
/// <param name="Candidate">The candidate's value on the rows.</param>
/// <param name="Champion">The champion's value on the same rows.</param>
/// <param name="Difference">The improvement: candidate minus champion for a metric where more is better, champion minus candidate otherwise.</param>
public sealed record PairedMetric(string Metric, double Candidate, double Champion, double Difference)
{
    /// <summary>Each resample's improvement (NaN where the metric was undefined on it).</summary>
    internal IReadOnlyList<double> Differences { get; init; } = [];

    /// <summary>Each resample's improvement relative to the champion's value on that resample.</summary>
    internal IReadOnlyList<double> RelativeDifferences { get; init; } = [];

    /// <summary>The central interval of the improvement at <paramref name="confidence"/>, or null when no resample defined it.</summary>
    /// <param name="confidence">The level, between 0 and 1.</param>
    public MetricInterval? Interval(double confidence) => MetricInterval.Percentile(Differences, confidence);

    /// <summary>The central interval of the relative improvement at <paramref name="confidence"/>, or null.</summary>
    /// <param name="confidence">The level, between 0 and 1.</param>
    public MetricInterval? RelativeInterval(double confidence) => MetricInterval.Percentile(RelativeDifferences, confidence);

    /// <summary>Better, not distinguishable or worse, from the interval at <paramref name="confidence"/>; null when there is none.</summary>
    /// <param name="confidence">The level, between 0 and 1.</param>
    public PairedVerdict? Verdict(double confidence) => Interval(confidence) switch
    {
        null => null,
        { Low: > 0 } => PairedVerdict.Better,
        { High: < 0 } => PairedVerdict.Worse,
        _ => PairedVerdict.NotDistinguishable,
    };

    /// <summary>The verdict as the report writes it: <c>better</c>, <c>not distinguishable</c>, <c>worse</c>.</summary>
    /// <param name="verdict">The verdict.</param>
    public static string Words(PairedVerdict verdict) => verdict switch
    {
        PairedVerdict.Better => "better",
        PairedVerdict.Worse => "worse",
        _ => "not distinguishable",
    };
}

/// <summary>Every metric of a candidate and the champion on the same evaluation rows (see <see cref="PairedMetric"/>).</summary>
/// <param name="Rows">The rows both models were scored on.</param>
/// <param name="Metrics">Metric name to its comparison, for the metrics both models have.</param>
public sealed record PairedComparison(int Rows, IReadOnlyDictionary<string, PairedMetric> Metrics)
{
    private const string Relative = "relative:";

    /// <summary>
    /// Compares two models' metrics on the same <paramref name="rows"/> rows: the point values on all rows, then the
    /// same resamples (<see cref="HoldoutBootstrap.Counts"/>) scored for both, the difference taken per resample.
    /// </summary>
    /// <param name="bootstrap">The resamples (seeded from the split seed, so the comparison repeats exactly).</param>
    /// <param name="rows">The number of rows.</param>
    /// <param name="candidate">The candidate's metrics, row i counted <c>counts[i]</c> times.</param>
    /// <param name="champion">The champion's metrics on the same rows.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    internal static PairedComparison Compute(
        HoldoutBootstrap bootstrap, int rows, Func<int[], IReadOnlyDictionary<string, double>> candidate, Func<int[], IReadOnlyDictionary<string, double>> champion, CancellationToken cancellationToken)
    {
        var ones = Enumerable.Repeat(1, rows).ToArray();
        var (c, h) = (candidate(ones), champion(ones));
        var names = c.Keys.Where(h.ContainsKey).Order(StringComparer.Ordinal).ToList();
        var samples = bootstrap.Samples(rows, counts => Differences(names, candidate(counts), champion(counts)), cancellationToken);
        var metrics = new SortedDictionary<string, PairedMetric>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var sign = MetricDirection.GreaterIsBetter(name) ? 1 : -1;
            metrics[name] = new PairedMetric(name, c[name], h[name], sign * (c[name] - h[name]))
            {
                Differences = [.. samples.Select(s => s.GetValueOrDefault(name, double.NaN))],
                RelativeDifferences = [.. samples.Select(s => s.GetValueOrDefault(Relative + name, double.NaN))],
            };
        }

        return new PairedComparison(rows, metrics);
    }

    /// <summary>One resample's improvement of each metric, and its improvement relative to the champion's value (keys prefixed <see cref="Relative"/>).</summary>
    private static Dictionary<string, double> Differences(List<string> names, IReadOnlyDictionary<string, double> candidate, IReadOnlyDictionary<string, double> champion)
    {
        var differences = new Dictionary<string, double>(names.Count * 2, StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (candidate.TryGetValue(name, out var c) && champion.TryGetValue(name, out var h))
            {
                var change = (MetricDirection.GreaterIsBetter(name) ? 1 : -1) * (c - h);
                differences[name] = change;
                differences[Relative + name] = h == 0 ? double.NaN : change / Math.Abs(h);
            }
        }

        return differences;
    }
}
