using System.Globalization;

namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// A 95% interval around a metric: for a holdout metric, the percentile bootstrap over its rows
/// (<see cref="HoldoutBootstrap"/>); for a cross-validated metric, the spread across folds. It measures how much
/// the figure would move on another sample of rows like the holdout, not how much retraining would move it.
/// </summary>
/// <param name="Low">The lower bound.</param>
/// <param name="High">The upper bound.</param>
public sealed record MetricInterval(double Low, double High)
{
    /// <summary>The level the intervals are computed at: 95%.</summary>
    public const double Confidence = 0.95;

    /// <summary>The interval, or null when either bound is missing (a run recorded before intervals, or a metric with none).</summary>
    public static MetricInterval? From(double? low, double? high) => low is { } l && high is { } h ? new MetricInterval(l, h) : null;

    /// <summary>
    /// The central <see cref="Confidence"/> interval of <paramref name="samples"/> by the percentile method, with linear
    /// interpolation between order statistics (numpy's default); NaN samples (the metric was undefined on that
    /// resample) are left out; null when none remains.
    /// </summary>
    public static MetricInterval? Percentile(IEnumerable<double> samples) => Percentile(samples, Confidence);

    /// <summary>The central <paramref name="confidence"/> interval of <paramref name="samples"/>, as <see cref="Percentile(IEnumerable{double})"/> computes the 95% one.</summary>
    /// <param name="samples">The resampled values; NaN ones are left out.</param>
    /// <param name="confidence">The interval's level, between 0 and 1.</param>
    public static MetricInterval? Percentile(IEnumerable<double> samples, double confidence)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Where(s => !double.IsNaN(s)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var tail = (1 - confidence) / 2;
        return new MetricInterval(Quantile(sorted, tail), Quantile(sorted, 1 - tail));
    }

    /// <summary>The interval as people read it: <c>[0.818, 0.866]</c>, up to four decimals.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[{Low:0.####}, {High:0.####}]");

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
