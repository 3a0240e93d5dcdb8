using System.Globalization;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Runs;

/// <summary>What a column of the runs table holds.</summary>
public enum RunColumnKind
{
    /// <summary>A property of every run: id, status, start, duration.</summary>
    Attribute,

    /// <summary>A parameter (<c>params.NAME</c>).</summary>
    Param,

    /// <summary>An overall holdout metric (<c>metrics.NAME</c>).</summary>
    Metric,
}

/// <summary>
/// A column of the runs table, named by its key in links and filters the way MLflow's search names them:
/// <c>id</c>, <c>status</c>, <c>started</c>, <c>duration</c>, <c>params.NAME</c>, <c>metrics.NAME</c>.
/// </summary>
/// <param name="Key">The key used in <c>?sort=</c>.</param>
/// <param name="Label">The header's text (with its unit).</param>
/// <param name="Kind">Attribute, parameter or metric.</param>
/// <param name="Name">The parameter's or metric's name; the attribute's key otherwise.</param>
public sealed record RunColumn(string Key, string Label, RunColumnKind Kind, string Name)
{
    /// <summary>The prefix of a parameter's key.</summary>
    public const string ParamPrefix = "params.";

    /// <summary>The prefix of a metric's key.</summary>
    public const string MetricPrefix = "metrics.";

    /// <summary>The attribute columns every table starts with.</summary>
    public static IReadOnlyList<RunColumn> Attributes { get; } =
    [
        new("id", "run", RunColumnKind.Attribute, "id"),
        new("status", "status", RunColumnKind.Attribute, "status"),
        new("started", "started (UTC)", RunColumnKind.Attribute, "started"),
        new("duration", "duration s", RunColumnKind.Attribute, "duration"),
    ];

    /// <summary>The columns of a set of runs: the attributes, then every parameter and every overall holdout metric in the order first recorded.</summary>
    /// <param name="runs">The runs.</param>
    public static IReadOnlyList<RunColumn> For(IReadOnlyList<RunView> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var parameters = new List<string>();
        var metrics = new List<string>();
        var seenParams = new HashSet<string>(StringComparer.Ordinal);
        var seenMetrics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            foreach (var (name, _) in run.Params)
            {
                if (seenParams.Add(name))
                {
                    parameters.Add(name);
                }
            }

            foreach (var metric in run.Metrics)
            {
                if (metric.Slice.Length == 0 && metric.Split == RunMetricView.Holdout && seenMetrics.Add(metric.Name))
                {
                    metrics.Add(metric.Name);
                }
            }
        }

        return [.. Attributes, .. parameters.Select(p => new RunColumn(ParamPrefix + p, p, RunColumnKind.Param, p)),
            .. metrics.Select(m => new RunColumn(MetricPrefix + m, m, RunColumnKind.Metric, m))];
    }

    /// <summary>The cell's text and, where it is a number, its value (for sorting, filtering and <c>data-value</c>).</summary>
    /// <param name="run">The run.</param>
    public (string? Text, double? Number) Value(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        switch (Kind)
        {
            case RunColumnKind.Param:
                var text = run.Param(Name);
                return (text, ParseNumber(text));
            case RunColumnKind.Metric:
                return run.HoldoutMetric(Name) is { } metric ? (HtmlWriter.Number(metric.Value), metric.Value) : (null, null);
            default:
                return Name switch
                {
                    "id" => (run.Id, null),
                    "status" => (run.Status, null),
                    "started" => (run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), run.StartedAt.ToUnixTimeMilliseconds()),
                    "duration" => run.Duration is { } d ? (d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture), d.TotalSeconds) : (null, null),
                    _ => (null, null),
                };
        }
    }

    /// <summary>A number written in invariant culture, or null.</summary>
    /// <param name="text">The text.</param>
    public static double? ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
