using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Tracking;

/// <summary>One metric of a run, for one split and, optionally, one slice of it.</summary>
/// <param name="Name">The metric, for example <c>auc</c>.</param>
/// <param name="Value">Its value; NaN when the metric is undefined (stored as NULL).</param>
/// <param name="Split">The rows it was measured on, for example <see cref="Holdout"/>.</param>
/// <param name="Slice">The slice, written <c>feature=value</c> (see <see cref="SliceOf"/>), or empty for all rows.</param>
public sealed record RunMetric(string Name, double Value, string Split = RunMetric.Holdout, string Slice = "")
{
    /// <summary>
    /// Its 95% interval, or null (runs recorded before intervals, latency, size, counts). How it was computed
    /// follows from <see cref="Split"/>: on <see cref="Holdout"/>, the percentile bootstrap over the holdout rows;
    /// a cross-validated split will record the spread across its folds in the same place.
    /// </summary>
    public MetricInterval? Interval { get; init; }

    /// <summary>The held-out evaluation rows.</summary>
    public const string Holdout = "holdout";

    /// <summary>The training rows.</summary>
    public const string Train = "train";

    /// <summary>The slice name of the rows whose <paramref name="feature"/> is <paramref name="value"/>: <c>contract=One year</c>.</summary>
    public static string SliceOf(string feature, string value) => feature + "=" + value;
}
