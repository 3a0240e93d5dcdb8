using System.Numerics;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Runtime.Features;

/// <summary>
/// Checks one column of a batch against its input and writes it into the batch, a block of rows at a
/// time. Typed arrays are read without boxing when a value passes every rule at once
/// (<see cref="FeatureInput.Fits"/>); any other value goes through <see cref="FeatureInput.ReadObject"/>,
/// so its value and its message are the ones every other entry point gives.
/// </summary>
internal readonly struct ColumnCheck
{
    // A category code of an encoded column's entry that must be read the slow way (rejected, or missing in a feature that is not nullable).
    private const int Slow = -3;

    private readonly FeatureInput _input;
    private readonly FeatureColumn _column;
    private readonly List<string> _problems;
    private readonly bool _single;
    private readonly FeatureBatch _batch;
    private readonly bool _isCategory;
    private readonly string?[] _entries = [];
    private readonly int[]? _remap;

    /// <summary>Prepares the check; <see cref="Check"/> marks the column sent in <paramref name="batch"/> as it writes.</summary>
    /// <param name="input">The input the column is for.</param>
    /// <param name="column">Its values, as many as the batch has rows.</param>
    /// <param name="batch">Receives the clean values.</param>
    /// <param name="problems">Receives a message per wrong value (<c>row i: </c> first when the batch has more than one row).</param>
    public ColumnCheck(FeatureInput input, FeatureColumn column, FeatureBatch batch, List<string> problems)
    {
        _input = input;
        _column = column;
        _problems = problems;
        _single = batch.RowCount == 1;
        _batch = batch;
        _isCategory = input.Type == FeatureType.Category;
        if (column.Categories is { } categories)
        {
            _entries = [.. categories];
            if (_isCategory)
            {
                // Each distinct entry is looked up once; rows then read a table.
                _remap = new int[_entries.Length];
                for (var i = 0; i < _remap.Length; i++)
                {
                    _remap[i] = _entries[i] is not { Length: > 0 } text ? (input.Nullable ? FeatureBatch.MissingCode : Slow)
                        : input.Categories.CodeOf(text) is var code and >= 0 ? code
                        : input.OnUnknown == UnknownCategoryPolicy.Reject ? Slow
                        : FeatureBatch.UndeclaredCode;
                }
            }
        }
    }

    /// <summary>Checks rows <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public void Check(int start, int end)
    {
        var numbers = _input.IsText ? default : _batch.SendNumbers(_input.Index);

        // Exact type comparisons: a type pattern on string?[] would run the runtime's covariant cast
        // for every column (arrays of reference types), a measurable part of a single-row request.
        var values = _column.Values;
        var type = values.GetType();
        if (_column.Categories is not null && type == typeof(int[]))
        {
            Encoded((int[])values, start, end);
        }
        else if (_input.IsNumber && type == typeof(double?[]))
        {
            Nullables((double?[])values, start, end, numbers);
        }
        else if (_input.IsNumber && type == typeof(double[]))
        {
            Numbers((double[])values, start, end, numbers);
        }
        else if (_input.IsText && type == typeof(string[]))
        {
            Texts((string?[])values, start, end);
        }
        else if (_input.Type == FeatureType.Bool && type == typeof(bool[]))
        {
            Bools((bool[])values, start, end, numbers);
        }
        else if (_input.IsNumber && type == typeof(float[]))
        {
            Numbers((float[])values, start, end, numbers);
        }
        else if (_input.IsNumber && type == typeof(int[]))
        {
            Numbers((int[])values, start, end, numbers);
        }
        else if (_input.IsNumber && type == typeof(long[]))
        {
            Numbers((long[])values, start, end, numbers);
        }
        else
        {
            for (var r = start; r < end; r++)
            {
                Value(r, values.GetValue(r));
            }
        }
    }

    /// <summary>Numbers of any CLR number type: the fast path takes each that passes every rule at once, the rest go the slow way.</summary>
    private void Numbers<T>(T[] values, int start, int end, Span<float> numbers)
        where T : struct, INumberBase<T>
    {
        for (var r = start; r < end; r++)
        {
            var x = double.CreateTruncating(values[r]);
            if (_input.Fits(x))
            {
                numbers[r] = (float)x;
            }
            else
            {
                Value(r, x);
            }
        }
    }

    private void Nullables(double?[] values, int start, int end, Span<float> numbers)
    {
        for (var r = start; r < end; r++)
        {
            if (values[r] is { } x && _input.Fits(x))
            {
                numbers[r] = (float)x;
            }
            else
            {
                Value(r, values[r]);
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

    private void Texts(string?[] values, int start, int end)
    {
        if (_isCategory)
        {
            var codes = _batch.SendCodes(_input.Index);
            for (var r = start; r < end; r++)
            {
                if (values[r] is { } text && _input.Categories.CodeOf(text) is var code and >= 0)
                {
                    codes[r] = code;
                }
                else
                {
                    Value(r, values[r]);
                }
            }

            return;
        }

        var texts = _batch.SendTexts(_input.Index);
        for (var r = start; r < end; r++)
        {
            if (values[r] is { Length: > 0 } text)
            {
                texts[r] = text;
            }
            else
            {
                Value(r, values[r]);
            }
        }
    }

    private void Encoded(int[] codes, int start, int end)
    {
        var (entries, remap) = (_entries, _remap);
        var outCodes = _isCategory ? _batch.SendCodes(_input.Index) : default;
        for (var r = start; r < end; r++)
        {
            var k = codes[r];
            if ((uint)k >= (uint)entries.Length)
            {
                Problem(r, new ValueProblem(Declarations.Diagnostics.DiagnosticIds.ValueTypeViolation, $"code {k} is not an index into the column's {entries.Length} categories."));
            }
            else if (remap is not null && remap[k] is var code and (>= FeatureBatch.MissingCode))
            {
                outCodes[r] = code;
            }
            else
            {
                Value(r, entries[k]);
            }
        }
    }

    /// <summary>Checks and writes one value the slow way: boxed, through <see cref="FeatureInput.ReadObject"/>.</summary>
    private void Value(int row, object? value)
    {
        if (_input.ReadObject(value, out var clean) is { } problem)
        {
            Problem(row, problem);
        }
        else
        {
            _batch.Set(_input.Index, row, clean);
        }
    }

    private void Problem(int row, ValueProblem problem) =>
        _problems.Add(_single ? problem.For(_input.Name) : $"row {row}: {problem.For(_input.Name)}");
}
