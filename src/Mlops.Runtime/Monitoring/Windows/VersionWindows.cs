using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Monitoring.Windows;

/// <summary>
/// One served version's monitoring windows: the open window, filled as rows arrive, and the last few
/// closed ones. Windows are aligned to whole multiples of their length since the Unix epoch (a 1-hour
/// window runs from one full hour to the next), so every replica and every restart cuts the same
/// windows. Safe to share: one writer records, any thread reads snapshots.
/// </summary>
public sealed class VersionWindows
{
    private readonly IReadOnlyList<FeatureInput> _features;
    private readonly TimeSpan _length;
    private readonly int _sampleSize;
    private readonly int _keep;
    private readonly Lock _lock = new();
    private readonly Queue<WindowFigures> _closed = new();
    private OpenWindow? _open;

    /// <summary>Starts with no window open.</summary>
    /// <param name="features">The version's features (its input schema's inputs).</param>
    /// <param name="length">The environment's monitoring window.</param>
    /// <param name="sampleSize">How many numbers each column keeps per window.</param>
    /// <param name="keep">How many closed windows are kept.</param>
    public VersionWindows(IReadOnlyList<FeatureInput> features, TimeSpan length, int sampleSize = 10_000, int keep = 24)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 0);
        _features = features;
        _length = length;
        _sampleSize = sampleSize;
        _keep = keep;
    }

    /// <summary>The window length.</summary>
    public TimeSpan Length => _length;

    /// <summary>Records a scored batch at a time (closing the open window first when the time is past it).</summary>
    /// <param name="batch">The checked rows; columns are matched by name, and a feature the batch lacks counts as missing.</param>
    /// <param name="predictions">What the version answered for them.</param>
    /// <param name="at">When they were scored.</param>
    public void Record(FeatureBatch batch, BatchPredictions predictions, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(predictions);
        lock (_lock)
        {
            var open = OpenFor(at);
            open.Rows += batch.RowCount;
            for (var f = 0; f < _features.Count; f++)
            {
                var column = batch.IndexOf(_features[f].Name);
                if (column >= 0)
                {
                    open.Features[f].Add(batch, column);
                }
                else
                {
                    for (var r = 0; r < batch.RowCount; r++)
                    {
                        AddMissing(open.Features[f]);
                    }
                }
            }

            open.Predictions.Add(predictions);
        }
    }

    /// <summary>Records one request answered by this version: how long it took and whether scoring failed (the answer then came from a fallback, or was an error).</summary>
    /// <param name="latency">The request's time, from reading the body to the answer.</param>
    /// <param name="failed">Whether this version failed to score it.</param>
    /// <param name="at">When it was answered.</param>
    public void RecordRequest(TimeSpan latency, bool failed, DateTimeOffset at)
    {
        lock (_lock)
        {
            var open = OpenFor(at);
            open.Requests++;
            open.Failures += failed ? 1 : 0;
            open.Latency.Add(latency);
        }
    }

    /// <summary>The open window as it stands (empty when nothing arrived in the current window) and the closed ones, newest last.</summary>
    /// <param name="now">The time now: a window that has ended is closed first.</param>
    public WindowHistory Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_open is not null && now >= _open.End)
            {
                Close();
            }

            var (start, end) = Bounds(now);
            var open = _open?.Figures() ?? new WindowFigures(start, end, 0, [], []) { Latency = new LatencyHistogram() };
            return new WindowHistory(open, [.. _closed]);
        }
    }

    private OpenWindow OpenFor(DateTimeOffset at)
    {
        if (_open is not null && at >= _open.End)
        {
            Close();
        }

        if (_open is null)
        {
            var (start, end) = Bounds(at);
            var seed = (ulong)start.ToUnixTimeMilliseconds();
            _open = new OpenWindow(start, end, [.. _features.Select((c, i) => new ColumnWindow(c, _sampleSize, seed + (ulong)i))], new PredictionWindow(_sampleSize, seed));
        }

        return _open;
    }

    private void Close()
    {
        _closed.Enqueue(_open!.Figures());
        _open = null;
        while (_closed.Count > _keep)
        {
            _closed.Dequeue();
        }
    }

    private (DateTimeOffset Start, DateTimeOffset End) Bounds(DateTimeOffset at)
    {
        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var start = DateTimeOffset.UnixEpoch.AddTicks(ticks - (((ticks % _length.Ticks) + _length.Ticks) % _length.Ticks));
        return (start, start + _length);
    }

    private static void AddMissing(ColumnWindow column)
    {
        if (column.Kind == DriftKind.Number)
        {
            column.Add((double?)null);
        }
        else
        {
            column.Add((string?)null);
        }
    }

    private sealed class OpenWindow(DateTimeOffset start, DateTimeOffset end, ColumnWindow[] features, PredictionWindow predictions)
    {
        public DateTimeOffset Start { get; } = start;

        public DateTimeOffset End { get; } = end;

        public long Rows { get; set; }

        public ColumnWindow[] Features { get; } = features;

        public PredictionWindow Predictions { get; } = predictions;

        public long Requests { get; set; }

        public long Failures { get; set; }

        public LatencyHistogram Latency { get; } = new();

        public WindowFigures Figures() =>
            new(Start, End, Rows, [.. Features.Select(ColumnFigures.Of)], [.. Predictions.Columns().Select(ColumnFigures.Of)])
            {
                Requests = Requests,
                Failures = Failures,
                Latency = Latency.Copy(),
            };
    }
}

/// <summary>A version's windows: the open one and the closed ones, oldest first.</summary>
/// <param name="Open">The window that contains the time of the snapshot, as far as it has filled.</param>
/// <param name="Closed">The windows before it that are kept.</param>
public sealed record WindowHistory(WindowFigures Open, IReadOnlyList<WindowFigures> Closed);

/// <summary>One window's figures, fixed at the time they were taken.</summary>
/// <param name="Start">The window's start (inclusive).</param>
/// <param name="End">The window's end (exclusive).</param>
/// <param name="Rows">Rows scored in it.</param>
/// <param name="Features">One column per feature, in the schema's order.</param>
/// <param name="Predictions">The outputs: <c>probability</c> and <c>predicted</c> for binary models, <c>predicted</c> for multiclass, <c>score</c> for regression.</param>
public sealed record WindowFigures(DateTimeOffset Start, DateTimeOffset End, long Rows, IReadOnlyList<ColumnFigures> Features, IReadOnlyList<ColumnFigures> Predictions)
{
    /// <summary>Requests this version answered in the window.</summary>
    public long Requests { get; init; }

    /// <summary>Requests this version failed to score (answered by a fallback, or an error).</summary>
    public long Failures { get; init; }

    /// <summary>Failures / requests; null with no requests.</summary>
    public double? FailureRate => Requests == 0 ? null : (double)Failures / Requests;

    /// <summary>The requests' latencies.</summary>
    public LatencyHistogram Latency { get; init; } = new();

    /// <summary>The 99th percentile latency in milliseconds (to within 5 %, never below); null with no requests.</summary>
    public double? P99LatencyMs => Latency.QuantileMs(0.99);
}

/// <summary>One column's figures in a window.</summary>
/// <param name="Name">The column.</param>
/// <param name="Kind">Compared as numbers or as categories.</param>
/// <param name="Rows">Rows seen.</param>
/// <param name="Missing">Rows with no value.</param>
/// <param name="Sample">For numbers, the sampled present values.</param>
/// <param name="Present">For numbers, how many present values the sample stands for.</param>
/// <param name="Counts">For texts, each value's count.</param>
public sealed record ColumnFigures(string Name, DriftKind Kind, long Rows, long Missing, IReadOnlyList<double> Sample, long Present, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>Missing / rows; 0 with no rows.</summary>
    public double NullRate => Rows == 0 ? 0 : (double)Missing / Rows;

    /// <summary>
    /// The column as drift compares it: the sampled numbers (with missing values scaled to the
    /// sample, so the null rate is kept) or the category counts.
    /// </summary>
    public ColumnValues ToValues()
    {
        if (Kind == DriftKind.Category)
        {
            return new CategoryCounts(Name, Counts, Missing);
        }

        var missing = Present == 0 || Sample.Count == Present ? Missing : (long)Math.Round(Missing * (double)Sample.Count / Present);
        return NumberValues.From(Name, [.. Sample]) with { Missing = missing };
    }

    /// <summary>The figures of a column window as they stand.</summary>
    /// <param name="column">The column window.</param>
    public static ColumnFigures Of(ColumnWindow column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return new(column.Name, column.Kind, column.Rows, column.Missing, column.Sample(), column.Present, column.Counts());
    }
}
