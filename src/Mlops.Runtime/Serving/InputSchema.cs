using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving;

/// <summary>
/// What a request row must look like: the bundle's inputs (name, type, nullable, categories) and, when
/// the feature set is known, each feature's policy for unknown categories. <c>Check</c> turns a
/// request row into clean values (float, string or null) or names every field that is wrong, so
/// nothing reaches a model unchecked.
/// </summary>
public sealed class InputSchema
{
    private readonly FrozenDictionary<string, Input> _inputs;
    private readonly Input[] _ordered;
    private readonly RowColumn[] _columns;
    private readonly Func<string, int> _indexOf;
    private readonly IReadOnlyList<string>?[] _categories;
    private readonly int _required;

    /// <summary>Builds the schema from a bundle's inputs and, optionally, the feature set it was trained on.</summary>
    public InputSchema(IReadOnlyList<BundleInput> inputs, FeatureSet? featureSet = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var byName = new Dictionary<string, Input>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (byName.ContainsKey(input.Name))
            {
                throw new ArgumentException($"Input '{input.Name}' appears twice in the bundle's inputs; every input needs its own name. Rebuild the bundle.", nameof(inputs));
            }

            var declared = featureSet?.Find(input.Name);
            var type = Enum.TryParse<FeatureType>(input.Type, ignoreCase: true, out var t) ? t : FeatureType.Text;
            byName[input.Name] = new Input(
                input.Name,
                byName.Count,
                type,
                input.Nullable,
                [.. input.Values],
                input.Values.Select((v, i) => KeyValuePair.Create(v, i)).DistinctBy(p => p.Key, StringComparer.Ordinal).ToFrozenDictionary(StringComparer.Ordinal),
                declared?.OnUnknown ?? UnknownCategoryPolicy.Reject);
        }

        _inputs = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _ordered = [.. byName.Values.OrderBy(i => i.Index)];
        _columns = [.. _ordered.Select(i => new RowColumn(i.Name, i.Type is FeatureType.Category or FeatureType.Text ? RowColumnKind.Text : RowColumnKind.Number))];
        _indexOf = name => _inputs.TryGetValue(name, out var input) ? input.Index : -1;
        _categories = [.. _ordered.Select(i => i.Type == FeatureType.Category ? i.Declared : null)];

        Names = [.. inputs.Select(i => i.Name)];
        _required = _inputs.Values.Count(i => !i.Nullable);
        Entity = featureSet?.Entity;
    }

    /// <summary>The feature set's entity key: accepted in requests even when it is not a model input, and used for sticky canary routing.</summary>
    public string? Entity { get; }

    /// <summary>The feature names, in the bundle's order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The declared type of a feature, or null when it is not one.</summary>
    public FeatureType? TypeOf(string name) => _inputs.TryGetValue(name, out var input) ? input.Type : null;

    /// <summary>Checks one row and returns its clean values; every problem is added to <paramref name="problems"/>.</summary>
    /// <param name="row">Feature name to value: JSON elements, CLR numbers, bools or strings.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="where">Prefixed to messages, for example <c>rows[3].</c>.</param>
    /// <returns>The clean row; meaningful only when no problem was added.</returns>
    public FeatureRow Check(IEnumerable<KeyValuePair<string, object?>> row, List<string> problems, string where = "") =>
        Check(row, problems, out _, where);

    /// <summary>Checks one row, returns its clean values and the entity key's value (as text) when the row has one.</summary>
    /// <remarks>The clean row holds values by column (no boxing): scorers read it by index.</remarks>
    public FeatureRow Check(IEnumerable<KeyValuePair<string, object?>> row, List<string> problems, out string? entityKey, string where = "")
    {
        entityKey = null;
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(problems);
        var clean = new FeatureRow(_columns, _indexOf);
        var required = 0;
        foreach (var (name, value) in row)
        {
            if (name == Entity)
            {
                entityKey = EntityText(value);
                if (!_inputs.ContainsKey(name))
                {
                    continue;
                }
            }

            if (!_inputs.TryGetValue(name, out var input))
            {
                var suggestion = Declarations.Diagnostics.Suggestions.Nearest(name, _inputs.Keys);
                problems.Add($"{where}{name}: not a feature of this model." + (suggestion is null ? " Remove it." : $" Did you mean '{suggestion}'?"));
                continue;
            }

            var sentBefore = clean.IsSent(input.Index);
            if (Convert(input, value, out var number, out var text) is { } problem)
            {
                problems.Add($"{where}{name}: {problem}");
                continue;
            }

            if (input.IsText)
            {
                clean.SetText(input.Index, text);
            }
            else
            {
                clean.SetNumber(input.Index, number);
            }

            // A name sent twice: the last value wins, and it counts once.
            required += input.Nullable || sentBefore ? 0 : 1;
        }

        // Every non-nullable feature present and clean is the usual case: counting them saves a
        // lookup per feature on each request.
        if (required == _required)
        {
            return clean;
        }

        foreach (var input in _ordered)
        {
            if (!input.Nullable && !clean.IsSent(input.Index) && !problems.Any(p => p.StartsWith(where + input.Name + ":", StringComparison.Ordinal)))
            {
                problems.Add($"{where}{input.Name}: missing, and the feature is not nullable. Send a value.");
            }
        }

        return clean;
    }

    /// <summary>
    /// Checks a batch of rows given by column (feature name to one value per row) and returns the clean
    /// batch; every problem is added to <paramref name="problems"/>, prefixed with <c>row i: </c> when
    /// there is more than one row. Arrays of <see cref="double"/> (nullable or not), <see cref="float"/>,
    /// <see cref="int"/>, <see cref="long"/>, <see cref="bool"/> and <see cref="string"/> are read
    /// without boxing; any other array (of objects or <see cref="JsonElement"/>s) value by value.
    /// </summary>
    /// <param name="columns">Feature name to its values, one per row; every column needs the same number of rows.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="entityKey">The entity key's value (as text) in the first row that has one, for routing.</param>
    /// <returns>The clean batch, with a code per category value; meaningful only when no problem was added.</returns>
    public FeatureBatch CheckColumns(IEnumerable<KeyValuePair<string, Array>> columns, List<string> problems, out string? entityKey)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(problems);
        entityKey = null;
        var given = columns.ToList();
        if (given.Count == 0)
        {
            problems.Add("no features were sent; send one column of values per feature.");
            return new FeatureBatch(_columns, _indexOf, 0, _categories);
        }

        var rowCount = given[0].Value?.Length ?? 0;
        var batch = new FeatureBatch(_columns, _indexOf, rowCount, _categories);
        var named = new bool[_ordered.Length];
        foreach (var (name, values) in given)
        {
            var isInput = _inputs.TryGetValue(name, out var input);
            if (isInput && named[input!.Index])
            {
                problems.Add($"{name}: sent twice; send each feature once.");
                continue;
            }

            if (isInput)
            {
                named[input!.Index] = true;
            }

            if (values is null || values.Rank != 1)
            {
                problems.Add($"{name}: needs a one-dimensional array of values, one per row.");
                continue;
            }

            if (values.Length != rowCount)
            {
                problems.Add($"{name}: has {values.Length} values, the other features {rowCount}; every feature needs one value per row.");
                continue;
            }

            if (name == Entity)
            {
                for (var r = 0; entityKey is null && r < rowCount; r++)
                {
                    entityKey = EntityText(values.GetValue(r));
                }
            }

            if (!isInput)
            {
                if (name != Entity)
                {
                    var suggestion = Declarations.Diagnostics.Suggestions.Nearest(name, _inputs.Keys);
                    problems.Add($"{name}: not a feature of this model." + (suggestion is null ? " Remove it." : $" Did you mean '{suggestion}'?"));
                }

                continue;
            }

            var column = new ColumnCheck(input!, batch, problems, rowCount == 1);
            var isNumber = input!.Type is FeatureType.Float or FeatureType.Int;
            switch (values)
            {
                case double[] doubles when isNumber: column.Numbers(doubles); break;
                case double?[] nullables when isNumber: column.Numbers(nullables); break;
                case float[] floats when isNumber: column.Numbers(floats); break;
                case int[] ints when isNumber: column.Numbers(ints); break;
                case long[] longs when isNumber: column.Numbers(longs); break;
                case bool[] bools when input.Type == FeatureType.Bool: column.Bools(bools); break;
                case string?[] texts when input.IsText: column.Texts(texts); break;
                default: column.Values(values); break;
            }
        }

        foreach (var input in _ordered)
        {
            if (!input.Nullable && !named[input.Index])
            {
                problems.Add($"{input.Name}: missing, and the feature is not nullable. Send a value for every row.");
            }
        }

        return batch;
    }

    /// <summary>Checks one column of a batch and writes it; typed arrays skip boxing, and anything wrong goes through <see cref="Convert"/> for its message.</summary>
    private readonly struct ColumnCheck(Input input, FeatureBatch batch, List<string> problems, bool single)
    {
        public void Numbers(double[] values)
        {
            var into = batch.SendNumbers(input.Index);
            var isInt = input.Type == FeatureType.Int;
            for (var r = 0; r < values.Length; r++)
            {
                var x = values[r];
                if (double.IsFinite(x) && (!isInt || x == Math.Floor(x)))
                {
                    into[r] = (float)x;
                }
                else
                {
                    Value(r, x, into, default);
                }
            }
        }

        public void Numbers(double?[] values)
        {
            var into = batch.SendNumbers(input.Index);
            var isInt = input.Type == FeatureType.Int;
            for (var r = 0; r < values.Length; r++)
            {
                if (values[r] is { } x && double.IsFinite(x) && (!isInt || x == Math.Floor(x)))
                {
                    into[r] = (float)x;
                }
                else
                {
                    Value(r, values[r], into, default);
                }
            }
        }

        public void Numbers(float[] values)
        {
            var into = batch.SendNumbers(input.Index);
            var isInt = input.Type == FeatureType.Int;
            for (var r = 0; r < values.Length; r++)
            {
                var x = values[r];
                if (float.IsFinite(x) && (!isInt || x == MathF.Floor(x)))
                {
                    into[r] = x;
                }
                else
                {
                    Value(r, x, into, default);
                }
            }
        }

        public void Numbers(int[] values)
        {
            var into = batch.SendNumbers(input.Index);
            for (var r = 0; r < values.Length; r++)
            {
                into[r] = values[r];
            }
        }

        public void Numbers(long[] values)
        {
            var into = batch.SendNumbers(input.Index);
            for (var r = 0; r < values.Length; r++)
            {
                into[r] = values[r];
            }
        }

        public void Bools(bool[] values)
        {
            var into = batch.SendNumbers(input.Index);
            for (var r = 0; r < values.Length; r++)
            {
                into[r] = values[r] ? 1f : 0f;
            }
        }

        public void Texts(string?[] values)
        {
            var into = batch.SendTexts(input.Index);
            var codes = input.Type == FeatureType.Category ? batch.SendCodes(input.Index) : default;
            for (var r = 0; r < values.Length; r++)
            {
                var text = values[r];
                if (text is not null && input.Codes.TryGetValue(text, out var code))
                {
                    into[r] = text;
                    codes[r] = code;
                }
                else
                {
                    Value(r, text, default, into, codes);
                }
            }
        }

        public void Values(Array values)
        {
            var numbers = input.IsText ? default : batch.SendNumbers(input.Index);
            var texts = input.IsText ? batch.SendTexts(input.Index) : default;
            var codes = input.Type == FeatureType.Category ? batch.SendCodes(input.Index) : default;
            for (var r = 0; r < values.Length; r++)
            {
                Value(r, values.GetValue(r), numbers, texts, codes);
            }
        }

        /// <summary>Checks and writes one value the slow way: boxed, through <see cref="Convert"/>.</summary>
        private void Value(int row, object? value, Span<float> numbers, Span<string?> texts, Span<int> codes = default)
        {
            if (Convert(input, value, out var number, out var text) is { } problem)
            {
                problems.Add(single ? $"{input.Name}: {problem}" : $"row {row}: {input.Name}: {problem}");
            }
            else if (input.IsText)
            {
                texts[row] = string.IsNullOrEmpty(text) ? null : text;
                if (!codes.IsEmpty)
                {
                    codes[row] = text is null ? FeatureBatch.MissingCode : input.Codes.TryGetValue(text, out var code) ? code : FeatureBatch.UndeclaredCode;
                }
            }
            else
            {
                numbers[row] = number;
            }
        }
    }

    /// <summary>Converts a value to its column's form (number, or text), or says what is wrong with it.</summary>
    private static string? Convert(Input input, object? value, out float number, out string? text)
    {
        number = float.NaN;
        text = null;
        if (value is JsonElement json)
        {
            value = json.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.String => json.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => json.TryGetDouble(out var d) ? d : double.NaN,
                _ => json,
            };
            if (value is JsonElement other)
            {
                return $"expected {Expected(input.Type)}, got a JSON {other.ValueKind.ToString().ToLowerInvariant()}.";
            }
        }

        if (value is null)
        {
            return input.Nullable ? null : NotNullable;
        }

        switch (input.Type)
        {
            case FeatureType.Float or FeatureType.Int:
                double x;
                switch (value)
                {
                    case double d: x = d; break;
                    case float f: x = f; break;
                    case int or long or short or byte or decimal: x = System.Convert.ToDouble(value, CultureInfo.InvariantCulture); break;
                    default: return $"expected {Expected(input.Type)}, got {Describe(value)}.";
                }

                if (!double.IsFinite(x))
                {
                    return "is NaN or infinite; send a finite number, or null when the feature is nullable.";
                }

                if (input.Type == FeatureType.Int && x != Math.Floor(x))
                {
                    return $"expected an integer, got {x.ToString(CultureInfo.InvariantCulture)}.";
                }

                number = (float)x;
                return null;
            case FeatureType.Bool:
                if (value is bool b)
                {
                    number = b ? 1f : 0f;
                    return null;
                }

                return $"expected true or false, got {Describe(value)}.";
            case FeatureType.Category:
                if (value is not string category)
                {
                    return $"expected one of the categories as a string, got {Describe(value)}.";
                }

                if (!input.Codes.ContainsKey(category) && input.OnUnknown == UnknownCategoryPolicy.Reject)
                {
                    return Unknown(input, category);
                }

                text = category;
                return null;
            default:
                if (value is not string other)
                {
                    return $"expected a string, got {Describe(value)}.";
                }

                text = other;
                return null;
        }
    }

    private static string Unknown(Input input, string category) =>
        $"'{category}' is not a known category ({string.Join(", ", input.Declared.Order(StringComparer.Ordinal).Select(c => $"'{c}'"))}), and the feature set rejects unknown categories (onUnknown: reject).";

    /// <summary>The entity key's value as text (for routing), or null when it has none.</summary>
    private static string? EntityText(object? value) => value is JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } key
        ? (key.ValueKind == JsonValueKind.String ? key.GetString() : key.GetRawText())
        : value is null or JsonElement ? null : System.Convert.ToString(value, CultureInfo.InvariantCulture);

    private static string Expected(FeatureType type) => type switch
    {
        FeatureType.Float => "a number",
        FeatureType.Int => "an integer",
        FeatureType.Bool => "true or false",
        FeatureType.Category => "a category string",
        _ => "a string",
    };

    private static string Describe(object value) => value switch
    {
        string s => $"the string \"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
        bool b => b ? "true" : "false",
        IFormattable f => $"the number {f.ToString(null, CultureInfo.InvariantCulture)}",
        _ => value.GetType().Name,
    };

    private const string NotNullable = "is null, but the feature is not nullable. Send a value.";

    /// <summary>One input of the bundle, as checking needs it.</summary>
    /// <param name="Name">The feature's name.</param>
    /// <param name="Index">Its column.</param>
    /// <param name="Type">Its declared type.</param>
    /// <param name="Nullable">Whether it may be null.</param>
    /// <param name="Declared">The declared categories, in the declared order (category features).</param>
    /// <param name="Codes">Each declared category's index in <paramref name="Declared"/>.</param>
    /// <param name="OnUnknown">What an undeclared category does.</param>
    private sealed record Input(string Name, int Index, FeatureType Type, bool Nullable, string[] Declared, FrozenDictionary<string, int> Codes, UnknownCategoryPolicy OnUnknown)
    {
        public bool IsText => Type is FeatureType.Category or FeatureType.Text;
    }
}
