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
    private readonly FrozenDictionary<string, SchemaInput> _inputs;
    private readonly SchemaInput[] _ordered;
    private readonly RowColumn[] _columns;
    private readonly Func<string, int> _indexOf;
    private readonly IReadOnlyList<string>?[] _categories;
    private readonly int _required;

    // Rows per block when checking by column (see CheckColumns).
    private const int CheckBlock = 256;

    /// <summary>Builds the schema from a bundle's inputs and, optionally, the feature set it was trained on.</summary>
    public InputSchema(IReadOnlyList<BundleInput> inputs, FeatureSet? featureSet = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var byName = new Dictionary<string, SchemaInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (byName.ContainsKey(input.Name))
            {
                throw new ArgumentException($"Input '{input.Name}' appears twice in the bundle's inputs; every input needs its own name. Rebuild the bundle.", nameof(inputs));
            }

            var declared = featureSet?.Find(input.Name);
            var type = Enum.TryParse<FeatureType>(input.Type, ignoreCase: true, out var t) ? t : FeatureType.Text;
            byName[input.Name] = new SchemaInput(
                input.Name,
                byName.Count,
                type,
                input.Nullable,
                new CategoryLookup(input.Values),
                declared?.OnUnknown ?? UnknownCategoryPolicy.Reject);
        }

        _inputs = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _ordered = [.. byName.Values.OrderBy(i => i.Index)];
        _columns = [.. _ordered.Select(i => new RowColumn(i.Name, i.IsText ? RowColumnKind.Text : RowColumnKind.Number))];
        _indexOf = name => _inputs.TryGetValue(name, out var input) ? input.Index : -1;
        _categories = [.. _ordered.Select(i => i.Type == FeatureType.Category ? i.Categories.Declared : null)];

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
                problems.Add(where + NotAFeature(name));
                continue;
            }

            var sentBefore = clean.IsSent(input.Index);
            if (input.Convert(value, out var number, out var text) is { } problem)
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
    /// without boxing; any other array (of objects or <see cref="JsonElement"/>s) value by value;
    /// categories may come dictionary-encoded (<see cref="FeatureColumn.Encoded"/>).
    /// </summary>
    /// <param name="columns">Feature name to its values, one per row; every column needs the same number of rows.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="entityKey">The entity key's value (as text) in the first row that has one, for routing.</param>
    /// <returns>The clean batch, with a code per category value; meaningful only when no problem was added.</returns>
    public FeatureBatch CheckColumns(IEnumerable<KeyValuePair<string, FeatureColumn>> columns, List<string> problems, out string? entityKey)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(problems);
        entityKey = null;
        var given = columns as IReadOnlyList<KeyValuePair<string, FeatureColumn>> ?? [.. columns];
        if (given.Count == 0)
        {
            problems.Add("no features were sent; send one column of values per feature.");
            return new FeatureBatch(_columns, _indexOf, 0, _categories);
        }

        var rowCount = given[0].Value?.Length ?? 0;
        var batch = new FeatureBatch(_columns, _indexOf, rowCount, _categories);
        var named = new bool[_ordered.Length];
        var checks = new List<ColumnCheck>(given.Count);
        foreach (var (name, column) in given)
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

            if (column is null || column.Values.Rank != 1)
            {
                problems.Add($"{name}: needs a one-dimensional array of values, one per row.");
                continue;
            }

            if (column.Length != rowCount)
            {
                problems.Add($"{name}: has {column.Length} values, the other features {rowCount}; every feature needs one value per row.");
                continue;
            }

            if (name == Entity)
            {
                for (var r = 0; entityKey is null && r < rowCount; r++)
                {
                    entityKey = EntityText(column.Categories is not { } entities ? column.Values.GetValue(r)
                        : column.Values.GetValue(r) is int code && code >= 0 && code < entities.Count ? entities[code] : null);
                }
            }

            if (!isInput)
            {
                if (name != Entity)
                {
                    problems.Add(NotAFeature(name));
                }

                continue;
            }

            if (column.Categories is not null && !input!.IsText)
            {
                problems.Add($"{name}: categories given as codes fit only category and text features; send the values.");
                continue;
            }

            checks.Add(new ColumnCheck(input!, column, batch, problems));
        }

        // Block by block, every column: the values of a block of rows (strings above all, which live
        // wherever they were made) stay in cache while each column reads them.
        for (var start = 0; start < rowCount; start += CheckBlock)
        {
            var end = Math.Min(rowCount, start + CheckBlock);
            foreach (var check in checks)
            {
                check.Check(start, end);
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

    /// <summary>Checks a batch of rows given by column as plain arrays; see <see cref="CheckColumns(IEnumerable{KeyValuePair{string, FeatureColumn}}, List{string}, out string?)"/>.</summary>
    /// <param name="columns">Feature name to its values, one per row.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="entityKey">The entity key's value (as text) in the first row that has one.</param>
    public FeatureBatch CheckColumns(IEnumerable<KeyValuePair<string, Array>> columns, List<string> problems, out string? entityKey)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return CheckColumns(columns.Select(c => KeyValuePair.Create(c.Key, c.Value is null ? null! : FeatureColumn.Of(c.Value))), problems, out entityKey);
    }

    /// <summary>The message for a name that is not a feature, with the nearest feature's name when one is close.</summary>
    private string NotAFeature(string name) =>
        $"{name}: not a feature of this model." + (Declarations.Diagnostics.Suggestions.Nearest(name, _inputs.Keys) is { } suggestion ? $" Did you mean '{suggestion}'?" : " Remove it.");

    /// <summary>The entity key's value as text (for routing), or null when it has none.</summary>
    private static string? EntityText(object? value) => value is JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } key
        ? (key.ValueKind == JsonValueKind.String ? key.GetString() : key.GetRawText())
        : value is null or JsonElement ? null : System.Convert.ToString(value, CultureInfo.InvariantCulture);

}
