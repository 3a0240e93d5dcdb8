using System.Runtime.InteropServices;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Runtime.Monitoring.Windows;

/// <summary>
/// What one column's values looked like during a window: rows, missing values and either a sample of
/// the present numbers or the count of each category, with the kinds drift compares (floats and ints
/// as numbers; categories, bools as <c>true</c>/<c>false</c>, and texts as categories). The numbers are a uniform reservoir sample
/// (Vitter's algorithm R) of at most a set number of values, seeded by the
/// window's start so that the same rows in the same window give the same sample; categories are
/// counted exactly. Not thread-safe: one writer (the monitor's background loop) fills it.
/// </summary>
public sealed class ColumnWindow
{
    private readonly bool _boolean;
    private readonly double[]? _sample;
    private readonly Dictionary<string, long>? _counts;
    private ulong _random;
    private int _sampled;
    private long _present;

    /// <summary>Starts an empty window for a feature.</summary>
    /// <param name="feature">The feature: its type decides how values are kept.</param>
    /// <param name="sampleSize">At most this many numbers are kept.</param>
    /// <param name="seed">Seeds the sample; any value but the same for the same window.</param>
    public ColumnWindow(FeatureInput feature, int sampleSize, ulong seed)
        : this((feature ?? throw new ArgumentNullException(nameof(feature))).Name, feature.IsNumber ? DriftKind.Number : DriftKind.Category, sampleSize, seed)
    {
        _boolean = feature.Type == FeatureType.Bool;
    }

    /// <summary>Starts an empty column window.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="kind">Numbers are sampled; categories counted.</param>
    /// <param name="sampleSize">At most this many numbers are kept.</param>
    /// <param name="seed">Seeds the sample; any value but the same for the same window.</param>
    public ColumnWindow(string name, DriftKind kind, int sampleSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        Name = name;
        Kind = kind;
        if (kind == DriftKind.Number)
        {
            _sample = new double[sampleSize];
        }
        else
        {
            _counts = new Dictionary<string, long>(StringComparer.Ordinal);
        }

        _random = seed;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>Whether the column is compared as numbers or as categories.</summary>
    public DriftKind Kind { get; }

    /// <summary>Rows seen, missing ones included.</summary>
    public long Rows { get; private set; }

    /// <summary>Rows where the value was missing (or the column was not sent).</summary>
    public long Missing { get; private set; }

    /// <summary>Missing / rows; 0 before any row.</summary>
    public double NullRate => Rows == 0 ? 0 : (double)Missing / Rows;

    /// <summary>For numbers: the sampled present values, in no particular order (a copy).</summary>
    public double[] Sample() => _sample is null ? [] : _sample.AsSpan(0, _sampled).ToArray();

    /// <summary>For numbers: how many present values the sample stands for.</summary>
    public long Present => _present;

    /// <summary>For texts: each value seen and how often (a copy).</summary>
    public IReadOnlyDictionary<string, long> Counts() => _counts is null ? new Dictionary<string, long>() : new Dictionary<string, long>(_counts, StringComparer.Ordinal);

    /// <summary>Adds one column of a checked batch.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="column">The column's index in the batch.</param>
    public void Add(FeatureBatch batch, int column)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Rows += batch.RowCount;
        if (!batch.IsSent(column))
        {
            Missing += batch.RowCount;
            return;
        }

        if (_boolean)
        {
            foreach (var value in batch.Numbers(column))
            {
                if (float.IsNaN(value))
                {
                    Missing++;
                }
                else
                {
                    AddText(value == 1f ? "true" : "false");
                }
            }

            return;
        }

        if (_sample is not null)
        {
            foreach (var value in batch.Numbers(column))
            {
                if (float.IsNaN(value))
                {
                    Missing++;
                }
                else
                {
                    AddNumber(value);
                }
            }

            return;
        }

        for (var row = 0; row < batch.RowCount; row++)
        {
            if (batch.TextAt(column, row) is { } text)
            {
                AddText(text);
            }
            else
            {
                Missing++;
            }
        }
    }

    /// <summary>Adds one number of a number column; null or NaN is a missing value.</summary>
    /// <param name="number">The value.</param>
    /// <exception cref="InvalidOperationException">The column counts texts.</exception>
    public void Add(double? number)
    {
        if (_sample is null)
        {
            throw new InvalidOperationException($"'{Name}' counts texts; add texts to it.");
        }

        Rows++;
        if (number is { } value && !double.IsNaN(value))
        {
            AddNumber(value);
        }
        else
        {
            Missing++;
        }
    }

    /// <summary>Adds one value of a text column; null is a missing value.</summary>
    /// <param name="text">The value.</param>
    /// <exception cref="InvalidOperationException">The column samples numbers.</exception>
    public void Add(string? text)
    {
        if (_counts is null)
        {
            throw new InvalidOperationException($"'{Name}' samples numbers; add numbers to it.");
        }

        Rows++;
        if (text is null)
        {
            Missing++;
        }
        else
        {
            AddText(text);
        }
    }

    private void AddNumber(double value)
    {
        _present++;
        if (_sampled < _sample!.Length)
        {
            _sample[_sampled++] = value;
            return;
        }

        // Keep the new value with probability size / present, in place of a uniformly chosen one.
        var slot = (long)(SplitMix64.Next(ref _random) % (ulong)_present);
        if (slot < _sample.Length)
        {
            _sample[slot] = value;
        }
    }

    private void AddText(string text)
    {
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts!, text, out _);
        count++;
    }
}
