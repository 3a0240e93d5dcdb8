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
                input.Values.ToFrozenSet(StringComparer.Ordinal),
                declared?.OnUnknown ?? UnknownCategoryPolicy.Reject);
        }

        _inputs = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _ordered = [.. byName.Values.OrderBy(i => i.Index)];
        _columns = [.. _ordered.Select(i => new RowColumn(i.Name, i.Type is FeatureType.Category or FeatureType.Text ? RowColumnKind.Text : RowColumnKind.Number))];
        _indexOf = name => _inputs.TryGetValue(name, out var input) ? input.Index : -1;

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
                entityKey = value is JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } key
                    ? (key.ValueKind == JsonValueKind.String ? key.GetString() : key.GetRawText())
                    : value is null or JsonElement ? null : System.Convert.ToString(value, CultureInfo.InvariantCulture);
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
            if (Convert(input, value, clean) is { } problem)
            {
                problems.Add($"{where}{name}: {problem}");
                continue;
            }

            if (!input.Nullable && value is null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })
            {
                problems.Add($"{where}{name}: is null, but the feature is not nullable. Send a value.");
                continue;
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

    /// <summary>Writes a value into its column of <paramref name="row"/>, or says what is wrong with it (and writes nothing).</summary>
    private static string? Convert(Input input, object? value, FeatureRow row)
    {
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
            if (input.Type is FeatureType.Category or FeatureType.Text)
            {
                row.SetText(input.Index, null);
            }
            else
            {
                row.SetNumber(input.Index, float.NaN);
            }

            return null;
        }

        switch (input.Type)
        {
            case FeatureType.Float or FeatureType.Int:
                double number;
                switch (value)
                {
                    case double d: number = d; break;
                    case float f: number = f; break;
                    case int or long or short or byte or decimal: number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture); break;
                    default: return $"expected {Expected(input.Type)}, got {Describe(value)}.";
                }

                if (!double.IsFinite(number))
                {
                    return "is NaN or infinite; send a finite number, or null when the feature is nullable.";
                }

                if (input.Type == FeatureType.Int && number != Math.Floor(number))
                {
                    return $"expected an integer, got {number.ToString(CultureInfo.InvariantCulture)}.";
                }

                row.SetNumber(input.Index, (float)number);
                return null;
            case FeatureType.Bool:
                if (value is bool b)
                {
                    row.SetNumber(input.Index, b ? 1f : 0f);
                    return null;
                }

                return $"expected true or false, got {Describe(value)}.";
            case FeatureType.Category:
                if (value is not string category)
                {
                    return $"expected one of the categories as a string, got {Describe(value)}.";
                }

                if (!input.Categories.Contains(category) && input.OnUnknown == UnknownCategoryPolicy.Reject)
                {
                    return $"'{category}' is not a known category ({string.Join(", ", input.Categories.Order(StringComparer.Ordinal).Select(c => $"'{c}'"))}), and the feature set rejects unknown categories (onUnknown: reject).";
                }

                row.SetText(input.Index, category);
                return null;
            default:
                if (value is not string text)
                {
                    return $"expected a string, got {Describe(value)}.";
                }

                row.SetText(input.Index, text);
                return null;
        }
    }

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

    private sealed record Input(string Name, int Index, FeatureType Type, bool Nullable, FrozenSet<string> Categories, UnknownCategoryPolicy OnUnknown);
}
