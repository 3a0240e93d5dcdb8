namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// The percentile bootstrap over holdout rows: <see cref="Resamples"/> samples of the rows, drawn with
/// replacement from one <see cref="Random"/> seeded with the model's split seed, each scored by the same metric
/// code as the point estimate from the stored predictions and labels (the model is not run again). The draws
/// are made up front, in order, and each resample's metrics land in its own slot, so the interval is the same
/// however many threads compute it.
/// </summary>
/// <param name="Resamples">Resamples drawn; 0 computes no intervals.</param>
/// <param name="Seed">The seed of the draws.</param>
internal sealed record HoldoutBootstrap(int Resamples, int Seed)
{
    /// <summary>The resamples drawn unless a caller says otherwise.</summary>
    public const int DefaultResamples = 1000;

    /// <summary>Threads the resamples are scored on at most; -1 lets the thread pool choose. The interval does not depend on it.</summary>
    public int MaxThreads { get; init; } = -1;

    /// <summary>
    /// The interval of each metric <paramref name="metrics"/> computes on <paramref name="rows"/>, from its values on
    /// resamples of those rows; a metric undefined on every resample gets none.
    /// </summary>
    /// <param name="rows">The rows (indices into the holdout) the point estimate was computed on.</param>
    /// <param name="metrics">The metrics of a list of rows, which may repeat.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public IReadOnlyDictionary<string, MetricInterval> Intervals(
        IReadOnlyList<int> rows, Func<int[], IReadOnlyDictionary<string, double>> metrics, CancellationToken cancellationToken = default)
    {
        if (Resamples <= 0 || rows.Count == 0)
        {
            return new Dictionary<string, MetricInterval>(StringComparer.Ordinal);
        }

        var random = new Random(Seed);
        var draws = new int[Resamples][];
        for (var b = 0; b < Resamples; b++)
        {
            var draw = draws[b] = new int[rows.Count];
            for (var i = 0; i < draw.Length; i++)
            {
                draw[i] = rows[random.Next(rows.Count)];
            }
        }

        var results = new IReadOnlyDictionary<string, double>[Resamples];
        Parallel.For(0, Resamples, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = MaxThreads }, b => results[b] = metrics(draws[b]));
        var names = results.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var intervals = new SortedDictionary<string, MetricInterval>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (MetricInterval.Percentile(results.Select(r => r.TryGetValue(name, out var v) ? v : double.NaN)) is { } interval)
            {
                intervals[name] = interval;
            }
        }

        return intervals;
    }
}
