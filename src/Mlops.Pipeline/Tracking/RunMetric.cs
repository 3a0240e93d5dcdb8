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
    /// on <see cref="CrossValidation"/>, the Student t interval of the mean across folds.
    /// </summary>
    public MetricInterval? Interval { get; init; }

    /// <summary>The held-out evaluation rows.</summary>
    public const string Holdout = "holdout";

    /// <summary>The training rows.</summary>
    public const string Train = "train";

    /// <summary>The mean across cross-validation folds, with the Student t interval of the mean (docs/tracking.md).</summary>
    public const string CrossValidation = "cv";

    /// <summary>The sample standard deviation across cross-validation folds.</summary>
    public const string CrossValidationSd = "cv-sd";

    /// <summary>The prefix of one cross-validation fold's split: <c>cv-fold-1</c> to <c>cv-fold-K</c>.</summary>
    public const string CrossValidationFoldPrefix = "cv-fold-";

    /// <summary>The split of cross-validation fold <paramref name="fold"/> (from 1).</summary>
    public static string CrossValidationFold(int fold) => CrossValidationFoldPrefix + fold.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="split"/> holds a single fold's value or the spread (not a figure a gate or a comparison reads).</summary>
    public static bool IsCrossValidationDetail(string split) =>
        split == CrossValidationSd || split.StartsWith(CrossValidationFoldPrefix, StringComparison.Ordinal);

    /// <summary>The slice name of the rows whose <paramref name="feature"/> is <paramref name="value"/>: <c>contract=One year</c>.</summary>
    public static string SliceOf(string feature, string value) => feature + "=" + value;
}
