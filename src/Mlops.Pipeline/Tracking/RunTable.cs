using System.Globalization;
using Mlops.Pipeline.Gates;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// Many runs as one table, as <c>dvc exp show</c> prints them: a row per run, a column per parameter and per metric
/// (the union over the runs; a run lacking one has no value there).
/// </summary>
/// <param name="Runs">The rows, in display order.</param>
/// <param name="Params">Every parameter any run has, in order of first appearance, except <see cref="TrainerParam"/> (a row column of its own).</param>
/// <param name="Metrics">Every metric any run has: overall ones first, then by slice, as <see cref="MetricKeys"/> orders them.</param>
public sealed record RunTable(IReadOnlyList<Run> Runs, IReadOnlyList<string> Params, IReadOnlyList<RunTableMetric> Metrics)
{
    /// <summary>The parameter that names the trainer; shown as a row column, not among <see cref="Params"/>.</summary>
    public const string TrainerParam = "trainer";

    /// <summary>The prefix that names a parameter column in CSV and in <c>--sort</c>, as MLflow's run tables do.</summary>
    public const string ParamPrefix = "params.";

    /// <summary>The prefix that names a metric column in CSV and in <c>--sort</c>.</summary>
    public const string MetricPrefix = "metrics.";

    /// <summary>The table of <paramref name="runs"/>, rows in the order given.</summary>
    public static RunTable Create(IReadOnlyList<Run> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var parameters = ParamNames(runs).Where(name => name != TrainerParam).ToList();
        var metrics = MetricKeys(runs).Select(key => new RunTableMetric(key.Name, key.Split, key.Slice)).ToList();
        return new RunTable(runs, parameters, metrics);
    }

    /// <summary>Every parameter name the runs have, in order of first appearance.</summary>
    public static IReadOnlyList<string> ParamNames(IEnumerable<Run> runs) =>
        [.. runs.SelectMany(r => r.Params.Keys).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Every metric (name, split, slice) the runs have, but a cross-validation's per-fold values and spread (<c>cv:auc</c>, the mean,
    /// is a column): overall ones first, then by slice name, each group in order of first appearance.
    /// </summary>
    public static IReadOnlyList<(string Name, string Split, string Slice)> MetricKeys(IEnumerable<Run> runs) =>
        [.. runs.SelectMany(r => r.Metrics).Where(m => !RunMetric.IsCrossValidationDetail(m.Split)).Select(m => (m.Name, m.Split, m.Slice)).Distinct()
            .Select((key, order) => (key, order))
            .OrderBy(k => k.key.Slice.Length == 0 ? 0 : 1)
            .ThenBy(k => k.key.Slice, StringComparer.Ordinal)
            .ThenBy(k => k.order)
            .Select(k => k.key)];

    /// <summary>The run's trainer, or null when it recorded none.</summary>
    public static string? Trainer(Run run) => run.Params.GetValueOrDefault(TrainerParam);

    /// <summary>The run's value of a metric column; null when the run lacks it (NaN when it recorded it as undefined).</summary>
    public static double? Value(Run run, RunTableMetric metric) => run.FindMetric(metric.Name, metric.Split, metric.Slice)?.Value;

    /// <summary>
    /// The same table, rows sorted by one column. A metric sorts best first unless <paramref name="descending"/> says
    /// otherwise (<see cref="MetricDirection"/>); a parameter ascending, as numbers when every value is one, else as text.
    /// Runs lacking the value come last; ties keep their order.
    /// </summary>
    /// <param name="column">A metric column (<c>auc</c>, <c>metrics.auc</c>) or a parameter (<c>l2Regularization</c>, <c>params.l2Regularization</c>); a bare name that is both means the metric.</param>
    /// <param name="descending">The direction, or null for the column's default.</param>
    /// <exception cref="ArgumentException">No column has that name; the message lists the columns.</exception>
    public RunTable SortBy(string column, bool? descending = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        var metricName = column.StartsWith(ParamPrefix, StringComparison.Ordinal) ? null
            : column.StartsWith(MetricPrefix, StringComparison.Ordinal) ? column[MetricPrefix.Length..] : column;
        if (metricName is not null && Metrics.FirstOrDefault(m => m.Column == metricName) is { } metric)
        {
            var down = descending ?? metric.GreaterIsBetter;
            return Sorted(run => Value(run, metric) is { } v && !double.IsNaN(v) ? v : null, down);
        }

        var paramName = column.StartsWith(ParamPrefix, StringComparison.Ordinal) ? column[ParamPrefix.Length..]
            : column.StartsWith(MetricPrefix, StringComparison.Ordinal) ? null : column;
        if (paramName is not null && (Params.Contains(paramName, StringComparer.Ordinal) || paramName == TrainerParam))
        {
            var values = Runs.Select(r => r.Params.GetValueOrDefault(paramName)).OfType<string>().ToList();
            var numeric = values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            var down = descending ?? false;
            return numeric
                ? Sorted(run => run.Params.GetValueOrDefault(paramName) is { } v ? double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) : null, down)
                : SortedText(run => run.Params.GetValueOrDefault(paramName), down);
        }

        var columns = Metrics.Select(m => m.Column).Concat(Params).Append(TrainerParam).Distinct(StringComparer.Ordinal);
        throw new ArgumentException(
            $"no metric or parameter column is named '{column}'. Sort by one of: {string.Join(", ", columns)}.", nameof(column));
    }

    private RunTable Sorted(Func<Run, double?> key, bool descending)
    {
        var present = Runs.Where(r => key(r) is not null);
        var sorted = descending ? present.OrderByDescending(r => key(r)) : present.OrderBy(r => key(r));
        return this with { Runs = [.. sorted, .. Runs.Where(r => key(r) is null)] };
    }

    private RunTable SortedText(Func<Run, string?> key, bool descending)
    {
        var present = Runs.Where(r => key(r) is not null);
        var sorted = descending ? present.OrderByDescending(key, StringComparer.Ordinal) : present.OrderBy(key, StringComparer.Ordinal);
        return this with { Runs = [.. sorted, .. Runs.Where(r => key(r) is null)] };
    }
}

/// <summary>One metric column of a <see cref="RunTable"/>.</summary>
/// <param name="Name">The metric, for example <c>auc</c>.</param>
/// <param name="Split">Its split.</param>
/// <param name="Slice">Its slice, or empty for all rows.</param>
public sealed record RunTableMetric(string Name, string Split, string Slice)
{
    /// <summary>
    /// The column's name: the metric's name for overall holdout metrics (<c>auc</c>), with the split before a colon
    /// for other splits (<c>train:auc</c>) and the slice in brackets (<c>recall[contract=One year]</c>).
    /// </summary>
    public string Column => (Split == RunMetric.Holdout ? "" : Split + ":") + Name + (Slice.Length == 0 ? "" : "[" + Slice + "]");

    /// <summary>Whether a larger value is better, from <see cref="MetricDirection"/>.</summary>
    public bool GreaterIsBetter => MetricDirection.GreaterIsBetter(Name);
}
