using System.Text.RegularExpressions;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.Gates;

/// <summary>Converts metrics between an evaluation, a gate and a registry tag (<c>auc</c>, <c>recall[contract=One year]</c>).</summary>
public static partial class MetricSets
{
    /// <summary>The metrics of an evaluation.</summary>
    public static MetricSet From(EvaluationReport report) => new(
        report.Metrics,
        report.Slices.GroupBy(s => s.Feature).ToDictionary(
            f => f.Key,
            f => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>)f.ToDictionary(s => s.Value, s => s.Metrics)))
    {
        Intervals = report.Intervals
            .Concat(report.Slices.SelectMany(s => s.Intervals.Select(i => KeyValuePair.Create(Name(i.Key, s.Feature, s.Value), i.Value))))
            .ToDictionary(StringComparer.Ordinal),
    };

    /// <summary>A metric's registry name: <c>auc</c> overall, <c>recall[contract=One year]</c> for one slice value.</summary>
    public static string Name(string metric, string? slice, string? value) => slice is null ? metric : $"{metric}[{slice}={value}]";

    /// <summary>The metrics a registry tag recorded.</summary>
    public static MetricSet From(ModelVersion version)
    {
        var overall = new Dictionary<string, double>(StringComparer.Ordinal);
        var slices = new Dictionary<string, Dictionary<string, Dictionary<string, double>>>(StringComparer.Ordinal);
        foreach (var metric in version.Metrics)
        {
            var match = SlicedName().Match(metric.Name);
            if (!match.Success)
            {
                overall[metric.Name] = metric.Value;
                continue;
            }

            var feature = match.Groups["feature"].Value;
            if (!slices.TryGetValue(feature, out var values))
            {
                slices[feature] = values = new(StringComparer.Ordinal);
            }

            var value = match.Groups["value"].Value;
            if (!values.TryGetValue(value, out var metrics))
            {
                values[value] = metrics = new(StringComparer.Ordinal);
            }

            metrics[match.Groups["metric"].Value] = metric.Value;
        }

        return new MetricSet(overall, slices.ToDictionary(
            s => s.Key,
            s => (IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>)s.Value.ToDictionary(v => v.Key, v => (IReadOnlyDictionary<string, double>)v.Value)))
        {
            Intervals = version.Metrics.Where(m => m.Interval is not null).ToDictionary(m => m.Name, m => m.Interval!, StringComparer.Ordinal),
        };
    }

    /// <summary>The metrics as a registry tag records them: overall first, then each slice value's.</summary>
    public static IReadOnlyList<ModelMetric> ToRegistry(MetricSet metrics) =>
    [
        .. metrics.Overall.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ModelMetric(m.Key, m.Value) { Interval = metrics.GetInterval(m.Key) }),
        .. metrics.Slices.OrderBy(s => s.Key, StringComparer.Ordinal).SelectMany(s => s.Value.OrderBy(v => v.Key, StringComparer.Ordinal)
            .SelectMany(v => v.Value.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ModelMetric(Name(m.Key, s.Key, v.Key), m.Value) { Interval = metrics.GetInterval(m.Key, s.Key, v.Key) }))),
    ];

    [GeneratedRegex(@"^(?<metric>[^\[]+)\[(?<feature>[^=\]]+)=(?<value>.*)\]$", RegexOptions.CultureInvariant)]
    private static partial Regex SlicedName();
}
