using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>
/// Collects one feature's values, as the value rules read them (<see cref="FeatureInput"/>), into
/// the summary the drift tests compare (<see cref="ColumnValues"/>): numbers kept as floats and
/// sorted once at the end, categories counted. A file reader and a live window feed it the same way.
/// Not thread-safe: one writer at a time.
/// </summary>
public sealed class DriftColumnBuilder
{
    private readonly long[] _codeCounts;
    private readonly Dictionary<string, long> _other = new(StringComparer.Ordinal);
    private float[] _numbers = [];
    private int _numberCount;
    private long _missing;

    /// <summary>Collects the values of one feature.</summary>
    /// <param name="input">The feature, as <see cref="DriftInputs.For(IReadOnlyList{BundleInput})"/> makes it.</param>
    public DriftColumnBuilder(FeatureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Input = input;
        _codeCounts = new long[input.Type == FeatureType.Category ? input.Categories.Declared.Length : 0];
    }

    /// <summary>The feature.</summary>
    public FeatureInput Input { get; }

    /// <summary>Whether it is compared as numbers (float and int) or as categories (category, bool, text).</summary>
    public DriftKind Kind => Input.IsNumber ? DriftKind.Number : DriftKind.Category;

    /// <summary>Values added so far, missing ones included.</summary>
    public long Count => _numberCount + _missing + _codeCounts.Sum() + _other.Values.Sum();

    /// <summary>Adds a value the feature's rules read.</summary>
    /// <param name="value">The value.</param>
    public void Add(in FeatureValue value)
    {
        switch (Input.Type)
        {
            case FeatureType.Float or FeatureType.Int:
                if (float.IsNaN(value.Number))
                {
                    _missing++;
                    return;
                }

                if (_numberCount == _numbers.Length)
                {
                    Array.Resize(ref _numbers, Math.Max(1024, _numbers.Length * 2));
                }

                _numbers[_numberCount++] = value.Number;
                return;
            case FeatureType.Bool:
                if (float.IsNaN(value.Number))
                {
                    _missing++;
                }
                else
                {
                    AddOther(value.Number == 1f ? "true" : "false");
                }

                return;
            case FeatureType.Category:
                if (value.Code >= 0)
                {
                    _codeCounts[value.Code]++;
                }
                else if (value.Text is { } undeclared)
                {
                    AddOther(undeclared);
                }
                else
                {
                    _missing++;
                }

                return;
            default:
                if (string.IsNullOrEmpty(value.Text))
                {
                    _missing++;
                }
                else
                {
                    AddOther(value.Text);
                }

                return;
        }
    }

    /// <summary>Adds every value another builder of the same feature collected (readers that worked side by side).</summary>
    /// <param name="other">The other builder.</param>
    public void AddFrom(DriftColumnBuilder other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Input.Type != Input.Type || other.Input.Name != Input.Name)
        {
            throw new ArgumentException($"The other builder collects '{other.Input.Name}', not '{Input.Name}'.", nameof(other));
        }

        if (_numberCount + other._numberCount > _numbers.Length)
        {
            Array.Resize(ref _numbers, _numberCount + other._numberCount);
        }

        other._numbers.AsSpan(0, other._numberCount).CopyTo(_numbers.AsSpan(_numberCount));
        _numberCount += other._numberCount;
        _missing += other._missing;
        for (var code = 0; code < _codeCounts.Length; code++)
        {
            _codeCounts[code] += other._codeCounts[code];
        }

        foreach (var (value, count) in other._other)
        {
            _other[value] = _other.GetValueOrDefault(value) + count;
        }
    }

    /// <summary>The summary of the values added; the builder may go on collecting afterwards.</summary>
    public ColumnValues Build()
    {
        if (Input.IsNumber)
        {
            return NumberValues.FromFloats(Input.Name, _numbers.AsSpan(0, _numberCount)) with { Missing = _missing };
        }

        var counts = new Dictionary<string, long>(_other, StringComparer.Ordinal);
        var declared = Input.Categories.Declared;
        for (var code = 0; code < _codeCounts.Length; code++)
        {
            if (_codeCounts[code] > 0)
            {
                counts[declared[code]] = counts.GetValueOrDefault(declared[code]) + _codeCounts[code];
            }
        }

        return new CategoryCounts(Input.Name, counts, _missing);
    }

    private void AddOther(string value) => _other[value] = _other.GetValueOrDefault(value) + 1;
}

/// <summary>The features as drift reads them: the declared types, without the checks drift measures instead.</summary>
public static class DriftInputs
{
    /// <summary>
    /// Features for reading drift data: the declared type and categories, but every feature nullable,
    /// undeclared categories kept (not refused) and no range: a missing value, a new category or a value
    /// beyond the declared range is what drift measures (null rate, unseen share, distribution), not an error.
    /// </summary>
    /// <param name="inputs">The features (a bundle manifest's inputs, or a feature set's data features).</param>
    public static IReadOnlyList<FeatureInput> For(IReadOnlyList<BundleInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return [.. inputs.Select((input, index) => new FeatureInput(input.Name, index, input.Type, nullable: true, input.Values, UnknownCategoryPolicy.Ignore, null, null))];
    }
}
