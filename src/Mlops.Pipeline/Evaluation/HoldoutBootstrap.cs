namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// The percentile bootstrap over holdout rows: <see cref="Resamples"/> samples of the rows, drawn with
/// replacement, each scored by the same metric code as the point estimate from the stored predictions and labels
/// (the model is not run again). Resample b draws from its own <see cref="Random"/>, seeded by SplitMix64 of
/// (<see cref="Seed"/>, b), inside the parallel loop: nothing is drawn up front, memory stays one row count per
/// running resample, and resample b is the same rows however many threads run and in whatever order.
/// A resample is handed to the metrics as multiplicities (how many times each row was drawn), which lets a sorted
/// metric such as AUC cost O(n) per resample (<see cref="Mlops.Runtime.Evaluation.RankedBinaryPredictions"/>),
/// and lets two models be scored on the same resamples (a paired bootstrap).
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
        IReadOnlyList<int> rows, Func<int[], IReadOnlyDictionary<string, double>> metrics, CancellationToken cancellationToken = default) =>
        IntervalsOfCounts(rows.Count, counts => metrics(Expand(rows, counts)), cancellationToken);

    /// <summary>
    /// The interval of each metric <paramref name="metrics"/> computes from multiplicities of <paramref name="count"/> rows;
    /// a metric undefined on every resample gets none.
    /// </summary>
    /// <param name="count">The number of rows.</param>
    /// <param name="metrics">The metrics of the rows, row i counted <c>counts[i]</c> times.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public IReadOnlyDictionary<string, MetricInterval> IntervalsOfCounts(
        int count, Func<int[], IReadOnlyDictionary<string, double>> metrics, CancellationToken cancellationToken = default) =>
        Percentiles(Samples(count, metrics, cancellationToken), MetricInterval.Confidence);

    /// <summary>Each resample's metrics, in resample order; empty when there are no resamples or no rows.</summary>
    /// <param name="count">The number of rows.</param>
    /// <param name="metrics">The metrics of the rows, row i counted <c>counts[i]</c> times.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public IReadOnlyDictionary<string, double>[] Samples(
        int count, Func<int[], IReadOnlyDictionary<string, double>> metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (Resamples <= 0 || count == 0)
        {
            return [];
        }

        var results = new IReadOnlyDictionary<string, double>[Resamples];
        Parallel.For(0, Resamples, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = MaxThreads }, b => results[b] = metrics(Counts(b, count)));
        return results;
    }

    /// <summary>Resample <paramref name="resample"/>'s multiplicities: how many times each of <paramref name="count"/> rows was drawn (they sum to <paramref name="count"/>).</summary>
    /// <param name="resample">The resample's index, 0 to <see cref="Resamples"/> - 1.</param>
    /// <param name="count">The number of rows.</param>
    public int[] Counts(int resample, int count)
    {
        var random = new Random(ResampleSeed(Seed, resample));
        var counts = new int[count];
        for (var i = 0; i < count; i++)
        {
            counts[random.Next(count)]++;
        }

        return counts;
    }

    /// <summary>The central interval at <paramref name="confidence"/> of each metric over <paramref name="samples"/>; a metric undefined on every sample gets none.</summary>
    /// <param name="samples">Each resample's metrics.</param>
    /// <param name="confidence">The interval's level, between 0 and 1.</param>
    public static IReadOnlyDictionary<string, MetricInterval> Percentiles(IReadOnlyList<IReadOnlyDictionary<string, double>> samples, double confidence)
    {
        var names = samples.SelectMany(r => r.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var intervals = new SortedDictionary<string, MetricInterval>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (MetricInterval.Percentile(samples.Select(r => r.TryGetValue(name, out var v) ? v : double.NaN), confidence) is { } interval)
            {
                intervals[name] = interval;
            }
        }

        return intervals;
    }

    /// <summary>The rows of a resample as a list, each repeated as often as it was drawn.</summary>
    /// <param name="rows">The rows the counts refer to.</param>
    /// <param name="counts">How many times each row was drawn.</param>
    internal static int[] Expand(IReadOnlyList<int> rows, int[] counts)
    {
        var draw = new int[counts.Sum()];
        var next = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            for (var k = 0; k < counts[i]; k++)
            {
                draw[next++] = rows[i];
            }
        }

        return draw;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014) of the seed and the resample's index: well-spread seeds for neighbouring indices.</summary>
    private static int ResampleSeed(int seed, int resample)
    {
        var z = (((ulong)(uint)seed << 32) | (uint)resample) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }
}
