using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Gates;

/// <summary>A model version's metrics: overall, and per value of each slice feature.</summary>
/// <param name="Overall">Metric name to value (auc, recall, p99LatencyMs, modelSizeBytes, ...).</param>
/// <param name="Slices">Slice feature to its values, each with its metrics.</param>
public sealed record MetricSet(
    IReadOnlyDictionary<string, double> Overall,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> Slices)
{
    /// <summary>No metrics.</summary>
    public static MetricSet Empty { get; } = new(new Dictionary<string, double>(), new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>());

    /// <summary>The 95% interval of each metric that has one, by its registry name: <c>auc</c>, <c>recall[contract=One year]</c> (<see cref="MetricSets.Name"/>).</summary>
    public IReadOnlyDictionary<string, MetricInterval> Intervals { get; init; } = new Dictionary<string, MetricInterval>();

    /// <summary>The 95% interval of a metric overall (slice null) or for one slice value; null when it has none.</summary>
    public MetricInterval? GetInterval(string metric, string? slice = null, string? value = null) =>
        Intervals.GetValueOrDefault(MetricSets.Name(metric, slice, value));

    /// <summary>The value of a metric overall (slice null) or for one slice value; null when not computed.</summary>
    public double? Get(string metric, string? slice = null, string? value = null)
    {
        if (slice is null)
        {
            return Overall.TryGetValue(metric, out var overall) ? overall : null;
        }

        return Slices.TryGetValue(slice, out var values) && value is not null && values.TryGetValue(value, out var metrics) && metrics.TryGetValue(metric, out var sliced)
            ? sliced
            : null;
    }
}
