using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// One row of feature values held by column: numbers as <see cref="float"/> (NaN when missing) and
/// texts as <see cref="string"/> (null when missing or empty), with no boxing. Request checking writes
/// it and a scorer whose row type has the same columns reads it straight by index; anything else can
/// read it as a dictionary of the features that were sent (numbers boxed on reading).
/// </summary>
public sealed class FeatureRow : IReadOnlyDictionary<string, object?>
{
    private readonly float[] _numbers;
    private readonly string?[] _texts;
    private readonly bool[] _sent;
    private readonly Func<string, int> _indexOf;
    private int _count;

    /// <summary>An empty row (nothing sent) with these columns.</summary>
    /// <param name="columns">The columns, shared by every row of one schema (scorers recognise it by reference).</param>
    /// <param name="indexOf">The index of a column by name, or -1.</param>
    public FeatureRow(IReadOnlyList<RowColumn> columns, Func<string, int> indexOf)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(indexOf);
        Columns = columns;
        _indexOf = indexOf;
        _numbers = new float[columns.Count];
        _texts = new string?[columns.Count];
        _sent = new bool[columns.Count];
        _numbers.AsSpan().Fill(float.NaN);
    }

    /// <summary>The columns, in the order of <see cref="Numbers"/> and <see cref="Texts"/>.</summary>
    public IReadOnlyList<RowColumn> Columns { get; }

    /// <summary>Number values by column; NaN for missing values and for text columns.</summary>
    public ReadOnlySpan<float> Numbers => _numbers;

    /// <summary>Text values by column; null for missing or empty values and for number columns.</summary>
    public ReadOnlySpan<string?> Texts => _texts;

    /// <summary>How many features were sent.</summary>
    public int Count => _count;

    /// <summary>The names of the features sent, in column order.</summary>
    public IEnumerable<string> Keys => this.Select(p => p.Key);

    /// <summary>The values of the features sent, in column order.</summary>
    public IEnumerable<object?> Values => this.Select(p => p.Value);

    /// <summary>A sent feature's value: a boxed float, a string, or null when missing.</summary>
    /// <exception cref="KeyNotFoundException">The feature was not sent.</exception>
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"Feature '{key}' was not sent.");

    /// <summary>Sets a number column (NaN is missing) and marks it sent.</summary>
    public void SetNumber(int column, float value)
    {
        Mark(column);
        _numbers[column] = value;
    }

    /// <summary>Sets a text column (null or empty is missing) and marks it sent.</summary>
    public void SetText(int column, string? value)
    {
        Mark(column);
        _texts[column] = string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>Whether a column was sent (possibly as null).</summary>
    public bool IsSent(int column) => _sent[column];

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _indexOf(key) is var i and >= 0 && _sent[i];

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var i = _indexOf(key);
        if (i < 0 || !_sent[i])
        {
            value = null;
            return false;
        }

        value = ValueAt(i);
        return true;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (_sent[i])
            {
                yield return KeyValuePair.Create(Columns[i].Name, ValueAt(i));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private object? ValueAt(int column) =>
        Columns[column].Kind == RowColumnKind.Number ? (float.IsNaN(_numbers[column]) ? null : _numbers[column]) : _texts[column];

    private void Mark(int column)
    {
        if (!_sent[column])
        {
            _sent[column] = true;
            _count++;
        }
    }
}
