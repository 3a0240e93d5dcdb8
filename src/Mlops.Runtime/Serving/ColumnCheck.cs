using System.Numerics;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving;

/// <summary>
/// Checks one column of a batch against its input and writes it into the batch, a block of rows at a
/// time. Typed arrays are read without boxing; a value that breaks a rule goes through
/// <see cref="SchemaInput.Convert"/>, so its message is the one a single row gets.
/// </summary>
internal readonly struct ColumnCheck
{
    // A category code of an encoded column's entry that the feature rejects: the row gets Convert's message.
    private const int Rejected = -3;

    private readonly SchemaInput _input;
    private readonly FeatureColumn _column;
    private readonly List<string> _problems;
    private readonly bool _single;
    private readonly FeatureBatch _batch;
    private readonly bool _isCategory;
    private readonly string?[] _entries = [];
    private readonly int[]? _remap;

    /// <summary>Prepares the check and marks the column sent in <paramref name="batch"/>.</summary>
    /// <param name="input">The input the column is for.</param>
    /// <param name="column">Its values, as many as the batch has rows.</param>
    /// <param name="batch">Receives the clean values.</param>
    /// <param name="problems">Receives a message per wrong value.</param>
    public ColumnCheck(SchemaInput input, FeatureColumn column, FeatureBatch batch, List<string> problems)
    {
        _input = input;
        _column = column;
        _problems = problems;
        _batch = batch;
        _single = batch.RowCount == 1;
        _isCategory = input.Type == FeatureType.Category;
        if (!input.IsText)
        {
            batch.SendNumbers(input.Index);
        }
        else if (_isCategory)
        {
            batch.SendCodes(input.Index);
        }
        else
        {
            batch.SendTexts(input.Index);
        }

        if (column.Categories is { } categories)
        {
            _entries = [.. categories];
            if (_isCategory)
            {
                // Each distinct entry is looked up once; rows then read a table.
                _remap = new int[_entries.Length];
                for (var i = 0; i < _remap.Length; i++)
                {
                    _remap[i] = _entries[i] is not { } text ? (input.Nullable ? FeatureBatch.MissingCode : Rejected)
                        : input.Categories.CodeOf(text) is var code and >= 0 ? code
                        : input.OnUnknown == UnknownCategoryPolicy.Reject ? Rejected
                        : FeatureBatch.UndeclaredCode;
                }
            }
        }
    }

    /// <summary>Checks rows <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public void Check(int start, int end)
    {
        var into = new Into(
            _input.IsText ? default : _batch.SendNumbers(_input.Index),
            _input.IsText && !_isCategory ? _batch.SendTexts(_input.Index) : default,
            _isCategory ? _batch.SendCodes(_input.Index) : default);
        switch (_column.Values)
        {
            case int[] codes when _column.Categories is not null:
                Encoded(codes, start, end, into);
                break;
            case double[] doubles when _input.IsNumber: Floats(doubles, start, end, into); break;
            case float[] floats when _input.IsNumber: Floats(floats, start, end, into); break;
            case int[] ints when _input.IsNumber: Integers(ints, start, end, into.Numbers); break;
            case long[] longs when _input.IsNumber: Integers(longs, start, end, into.Numbers); break;
            case double?[] nullables when _input.IsNumber: Nullables(nullables, start, end, into); break;
            case bool[] bools when _input.Type == FeatureType.Bool: Bools(bools, start, end, into.Numbers); break;
            case string?[] texts when _input.IsText: Texts(texts, start, end, into); break;
            default:
                for (var r = start; r < end; r++)
                {
                    Value(r, _column.Values.GetValue(r), into);
                }

                break;
        }
    }

    /// <summary>Where a column's clean values go: its numbers, or its texts and (category features) codes.</summary>
    private readonly ref struct Into(Span<float> numbers, Span<string?> texts, Span<int> codes)
    {
        public Span<float> Numbers { get; } = numbers;

        public Span<string?> Texts { get; } = texts;

        public Span<int> Codes { get; } = codes;
    }

    private void Floats<T>(T[] values, int start, int end, Into into)
        where T : struct, IFloatingPointIeee754<T>
    {
        var isInt = _input.Type == FeatureType.Int;
        for (var r = start; r < end; r++)
        {
            var x = values[r];
            if (T.IsFinite(x) && (!isInt || x == T.Floor(x)))
            {
                into.Numbers[r] = float.CreateTruncating(x);
            }
            else
            {
                Value(r, x, into);
            }
        }
    }

    private static void Integers<T>(T[] values, int start, int end, Span<float> numbers)
        where T : struct, IBinaryInteger<T>
    {
        for (var r = start; r < end; r++)
        {
            numbers[r] = float.CreateTruncating(values[r]);
        }
    }

    private void Nullables(double?[] values, int start, int end, Into into)
    {
        var isInt = _input.Type == FeatureType.Int;
        for (var r = start; r < end; r++)
        {
            if (values[r] is { } x && double.IsFinite(x) && (!isInt || x == Math.Floor(x)))
            {
                into.Numbers[r] = (float)x;
            }
            else
            {
                Value(r, values[r], into);
            }
        }
    }

    private static void Bools(bool[] values, int start, int end, Span<float> numbers)
    {
        for (var r = start; r < end; r++)
        {
            numbers[r] = values[r] ? 1f : 0f;
        }
    }

    private void Texts(string?[] values, int start, int end, Into into)
    {
        for (var r = start; r < end; r++)
        {
            var text = values[r];
            if (_isCategory && text is not null && _input.Categories.CodeOf(text) is var code and >= 0)
            {
                into.Codes[r] = code;
            }
            else if (!_isCategory && (text is not null || _input.Nullable))
            {
                into.Texts[r] = string.IsNullOrEmpty(text) ? null : text;
            }
            else
            {
                Value(r, text, into);
            }
        }
    }

    private void Encoded(int[] codes, int start, int end, Into into)
    {
        var (entries, remap) = (_entries, _remap ?? []);
        var outCodes = into.Codes;
        for (var r = start; r < end; r++)
        {
            var k = codes[r];
            if ((uint)k < (uint)remap.Length && remap[k] is var code and >= FeatureBatch.MissingCode)
            {
                outCodes[r] = code;
            }
            else if ((uint)k >= (uint)entries.Length)
            {
                Problem(r, $"code {k} is not an index into the column's {entries.Length} categories.");
            }
            else if (remap.Length > 0 && remap[k] == FeatureBatch.UndeclaredCode)
            {
                outCodes[r] = FeatureBatch.UndeclaredCode;
                _batch.SendTexts(_input.Index)[r] = string.IsNullOrEmpty(entries[k]) ? null : entries[k];
            }
            else
            {
                Value(r, entries[k], into);
            }
        }
    }

    /// <summary>Checks and writes one value the slow way: boxed, through <see cref="SchemaInput.Convert"/>.</summary>
    private void Value(int row, object? value, Into into)
    {
        if (_input.Convert(value, out var number, out var text) is { } problem)
        {
            Problem(row, problem);
        }
        else if (!_input.IsText)
        {
            into.Numbers[row] = number;
        }
        else if (!_isCategory)
        {
            into.Texts[row] = string.IsNullOrEmpty(text) ? null : text;
        }
        else
        {
            into.Codes[row] = text is null ? FeatureBatch.MissingCode : _input.Categories.CodeOf(text) is var code and >= 0 ? code : FeatureBatch.UndeclaredCode;
            if (into.Codes[row] == FeatureBatch.UndeclaredCode)
            {
                _batch.SendTexts(_input.Index)[row] = string.IsNullOrEmpty(text) ? null : text;
            }
        }
    }

    private void Problem(int row, string problem) =>
        _problems.Add(_single ? $"{_input.Name}: {problem}" : $"row {row}: {_input.Name}: {problem}");
}
