using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Features;

/// <summary>
/// What rows for a model must look like: its inputs (<see cref="FeatureInput"/>: name, type,
/// nullable, categories, range) in column order, and the feature set's entity key. It turns values
/// into a <see cref="FeatureBatch"/>, the one row container, from whatever shape they arrive in:
/// columns of typed arrays or JSON values (<see cref="CheckColumns(IEnumerable{KeyValuePair{string, FeatureColumn}}, List{string}, out string?)"/>,
/// the inference protocol's tensors), rows by feature name (<see cref="CheckRows"/>: JSON objects
/// and CLR values) and rows of text fields (<see cref="TextBatchWriter"/>: data files). Every value
/// goes through the same rules, so nothing reaches a model unchecked and a value means the same
/// wherever it came from.
/// </summary>
public sealed class InputSchema
{
    // Rows per block when checking by column (see CheckColumns).
    private const int CheckBlock = 256;

    private readonly FrozenDictionary<string, FeatureInput> _inputs;
    private readonly FeatureInput[] _ordered;
    private readonly RowColumn[] _columns;
    private readonly Func<string, int> _indexOf;
    private readonly IReadOnlyList<string>?[] _categories;
    private readonly BatchShape _shape;
    private readonly int _required;

    /// <summary>Builds the schema from a bundle's inputs and, optionally, the feature set it was trained on.</summary>
    /// <param name="inputs">The bundle's inputs, in column order.</param>
    /// <param name="featureSet">The feature set: its entity key, and each feature's unknown-category policy and range when the bundle does not record them (bundles written before they did).</param>
    /// <exception cref="ArgumentException">Two inputs share a name.</exception>
    public InputSchema(IReadOnlyList<BundleInput> inputs, FeatureSet? featureSet = null)
        : this(InputsOf(inputs, featureSet), featureSet?.Entity)
    {
    }

    private InputSchema(IReadOnlyList<FeatureInput> inputs, string? entity)
    {
        var byName = new Dictionary<string, FeatureInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (!byName.TryAdd(input.Name, input))
            {
                throw new ArgumentException($"Input '{input.Name}' appears twice; every input needs its own name. Rebuild the bundle, or rename the feature.", nameof(inputs));
            }
        }

        _inputs = byName.ToFrozenDictionary(StringComparer.Ordinal);
        _ordered = [.. inputs];
        _columns = [.. _ordered.Select(i => new RowColumn(i.Name, i.Kind))];
        _indexOf = name => _inputs.TryGetValue(name, out var input) ? input.Index : -1;
        _categories = [.. _ordered.Select(i => i.Type == FeatureType.Category ? i.Categories.Declared : null)];
        _shape = new BatchShape(_columns, _indexOf, _categories);
        _required = _ordered.Count(i => !i.Nullable);
        Entity = entity;
    }

    /// <summary>The feature set's entity key: accepted in requests even when it is not a model input, and used for sticky canary routing.</summary>
    public string? Entity { get; }

    /// <summary>The feature names, in column order.</summary>
    public IReadOnlyList<string> Names => [.. _ordered.Select(i => i.Name)];

    /// <summary>The inputs, in column order.</summary>
    public IReadOnlyList<FeatureInput> Inputs => _ordered;

    /// <summary>The columns every batch of this schema has (shared: scorers recognise them by reference).</summary>
    public IReadOnlyList<RowColumn> Columns => _columns;

    /// <summary>The schema of a feature set's data features (those read from data, not computed by code), in declared order.</summary>
    /// <param name="featureSet">The feature set.</param>
    public static InputSchema For(FeatureSet featureSet)
    {
        ArgumentNullException.ThrowIfNull(featureSet);
        var features = featureSet.Features.Where(f => f.Source == FeatureSource.Data).ToList();
        return new InputSchema([.. features.Select((f, i) => new FeatureInput(f.Name, i, f.Type, f.Nullable, f.Values, f.OnUnknown, f.Min, f.Max) { Sensitivity = f.Sensitive })], featureSet.Entity);
    }

    /// <summary>An input by name, or null when the name is not one.</summary>
    /// <param name="name">The feature's name.</param>
    public FeatureInput? Find(string name) => _inputs.TryGetValue(name, out var input) ? input : null;

    /// <summary>The declared type of a feature, or null when it is not one.</summary>
    /// <param name="name">The feature's name.</param>
    public FeatureType? TypeOf(string name) => _inputs.TryGetValue(name, out var input) ? input.Type : null;

    /// <summary>An empty batch of this schema (nothing sent) with room for <paramref name="rowCount"/> rows.</summary>
    /// <param name="rowCount">How many rows.</param>
    public FeatureBatch NewBatch(int rowCount) => new(_shape, rowCount);

    /// <summary>
    /// One row that passes every rule (the lowest number the feature allows, or 0; false; the first
    /// declared category; a placeholder text), as a batch: warm-up scores it before a version serves.
    /// </summary>
    public FeatureBatch ExampleBatch()
    {
        var batch = NewBatch(1);
        foreach (var input in _ordered)
        {
            var value = input.Type switch
            {
                FeatureType.Bool => input.ReadBool(false, out var v) is null ? v : FeatureValue.Missing,
                FeatureType.Category => input.Categories.Declared.Length > 0 ? FeatureValue.OfCode(0) : FeatureValue.Missing,
                FeatureType.Text => FeatureValue.OfText("example"),
                _ => input.ReadNumber(input.Min ?? Math.Min(0, input.Max ?? 0), out var n) is null ? n : FeatureValue.Missing,
            };
            batch.Set(input.Index, 0, value);
        }

        return batch;
    }

    /// <summary>
    /// Checks rows given by feature name (JSON objects as <see cref="JsonElement"/> values, or CLR
    /// values) and returns them as one batch; every problem is added to <paramref name="problems"/> as
    /// <c>{where(i)}{name}: MLOPSnnnn: message</c>.
    /// </summary>
    /// <param name="rows">The rows: feature name to value.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="entityKeys">Receives each row's entity key (as text), when the feature set declares one and the row has it; may be null.</param>
    /// <param name="where">Prefixes the messages of row <c>i</c>, for example <c>[3].</c>; null prefixes nothing.</param>
    /// <returns>The clean batch; meaningful only when no problem was added.</returns>
    public FeatureBatch CheckRows(IReadOnlyList<IEnumerable<KeyValuePair<string, object?>>> rows, List<string> problems, string?[]? entityKeys = null, Func<int, string>? where = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(problems);
        var batch = NewBatch(rows.Count);
        foreach (var input in _ordered)
        {
            batch.Send(input.Index);
        }

        var sent = new bool[_ordered.Length];
        for (var r = 0; r < rows.Count; r++)
        {
            var prefix = where?.Invoke(r) ?? "";
            Array.Clear(sent);
            var required = 0;
            var next = 0;
            // A dictionary (what JSON binding and callers usually hand over) is walked with its struct enumerator, not a boxed one.
            if (rows[r] is Dictionary<string, object?> dictionary)
            {
                foreach (var (name, value) in dictionary)
                {
                    required += SetByName(batch, r, name, value, sent, ref next, prefix, problems, entityKeys);
                }
            }
            else
            {
                foreach (var (name, value) in rows[r])
                {
                    required += SetByName(batch, r, name, value, sent, ref next, prefix, problems, entityKeys);
                }
            }

            // Every non-nullable feature present is the usual case: counting them saves a lookup per feature.
            if (required == _required)
            {
                continue;
            }

            foreach (var input in _ordered)
            {
                if (!sent[input.Index] && input.ReadMissing(out _) is { } missing)
                {
                    problems.Add(prefix + missing.For(input.Name));
                }
            }
        }

        return batch;
    }

    // One named value of a row into the batch; returns 1 when it is a required feature seen for the first time.
    private int SetByName(FeatureBatch batch, int row, string name, object? value, bool[] sent, ref int next, string prefix, List<string> problems, string?[]? entityKeys)
    {
        // Rows usually list the features in declared order: comparing with the one expected next is
        // cheaper than hashing the name, and a miss falls back to the lookup.
        if (name == Entity && entityKeys is not null)
        {
            entityKeys[row] = EntityText(value);
        }

        FeatureInput? input;
        if (next < _ordered.Length && string.Equals(_ordered[next].Name, name, StringComparison.Ordinal))
        {
            input = _ordered[next];
        }
        else if (!_inputs.TryGetValue(name, out input))
        {
            if (name != Entity)
            {
                problems.Add(prefix + NotAFeature(name));
            }

            return 0;
        }

        next = input.Index + 1;
        // A name sent twice: the last value wins, and it counts once.
        var counts = input.Nullable || sent[input.Index] ? 0 : 1;
        sent[input.Index] = true;
        if (input.ReadObject(value, out var clean) is { } problem)
        {
            problems.Add(prefix + problem.For(name));
            return counts;
        }

        batch.Set(input.Index, row, clean);
        return counts;
    }

    /// <summary>
    /// Checks a batch of rows given by column (feature name to one value per row) and returns the clean
    /// batch; every problem is added to <paramref name="problems"/> as <c>name: MLOPSnnnn: message</c>,
    /// prefixed with <c>row i: </c> when there is more than one row. Arrays of <see cref="double"/>
    /// (nullable or not), <see cref="float"/>, <see cref="int"/>, <see cref="long"/>, <see cref="bool"/>
    /// and <see cref="string"/> are read without boxing; any other array (of objects or
    /// <see cref="JsonElement"/>s) value by value; categories may come dictionary-encoded
    /// (<see cref="FeatureColumn.Encoded"/>).
    /// </summary>
    /// <param name="columns">Feature name to its values, one per row; every column needs the same number of rows.</param>
    /// <param name="problems">Receives one message per wrong field.</param>
    /// <param name="entityKey">The entity key's value (as text) in the first row that has one, for routing.</param>
    /// <returns>The clean batch; meaningful only when no problem was added.</returns>
    public FeatureBatch CheckColumns(IEnumerable<KeyValuePair<string, FeatureColumn>> columns, List<string> problems, out string? entityKey)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(problems);
        entityKey = null;
        var given = columns as IReadOnlyList<KeyValuePair<string, FeatureColumn>> ?? [.. columns];
        if (given.Count == 0)
        {
            problems.Add("no features were sent; send one column of values per feature.");
            return NewBatch(0);
        }

        var rowCount = given[0].Value.Length;
        var batch = NewBatch(rowCount);

        // One block of rows (a request is usually one row) is checked column by column as each comes;
        // more rows are checked block by block across all columns (below).
        var blocked = rowCount > CheckBlock;
        Span<bool> named = _ordered.Length <= 256 ? stackalloc bool[_ordered.Length] : new bool[_ordered.Length];
        var checks = blocked ? new List<ColumnCheck>(given.Count) : null;
        for (var g = 0; g < given.Count; g++)
        {
            var (name, column) = given[g];
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

            if (column.Values is null || column.Values.Rank != 1)
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

            var check = new ColumnCheck(input!, column, batch, problems);
            if (checks is null)
            {
                check.Check(0, rowCount);
            }
            else
            {
                checks.Add(check);
            }
        }

        // Block by block, every column: the values of a block of rows (strings above all, which live
        // wherever they were made) stay in cache while each column reads them.
        for (var start = 0; checks is not null && start < rowCount; start += CheckBlock)
        {
            var end = Math.Min(rowCount, start + CheckBlock);
            foreach (var check in checks)
            {
                check.Check(start, end);
            }
        }

        foreach (var input in _ordered)
        {
            if (!named[input.Index] && input.ReadMissing(out _) is { } missing)
            {
                problems.Add(missing.For(input.Name));
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
        var given = new List<KeyValuePair<string, FeatureColumn>>((columns as IReadOnlyCollection<KeyValuePair<string, Array>>)?.Count ?? 16);
        foreach (var (name, values) in columns)
        {
            given.Add(KeyValuePair.Create(name, values is null ? default : FeatureColumn.Of(values)));
        }

        return CheckColumns(given, problems, out entityKey);
    }

    /// <summary>The message for a name that is not a feature, with the nearest feature's name when one is close.</summary>
    internal string NotAFeature(string name) =>
        $"{name}: not a feature of this model." + (Suggestions.Nearest(name, _inputs.Keys) is { } suggestion ? $" Did you mean '{suggestion}'?" : " Remove it.");

    /// <summary>The entity key's value as text (for routing), or null when it has none.</summary>
    private static string? EntityText(object? value)
    {
        try
        {
            return value is JsonElement { ValueKind: JsonValueKind.String or JsonValueKind.Number } key
                ? (key.ValueKind == JsonValueKind.String ? key.GetString() : key.GetRawText())
                : value is null or JsonElement ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return null; // not valid Unicode: the request routes by its id instead
        }
    }

    private static List<FeatureInput> InputsOf(IReadOnlyList<BundleInput> inputs, FeatureSet? featureSet)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return
        [
            .. inputs.Select((input, i) =>
            {
                // A bundle that records the policy records the range too; an older one takes both from the feature set.
                var declared = input.OnUnknown is null ? featureSet?.Find(input.Name) : null;
                return new FeatureInput(
                    input.Name,
                    i,
                    input.Type,
                    input.Nullable,
                    input.Values,
                    input.OnUnknown ?? declared?.OnUnknown ?? UnknownCategoryPolicy.Reject,
                    input.OnUnknown is null ? declared?.Min : input.Min,
                    input.OnUnknown is null ? declared?.Max : input.Max)
                {
                    // The stricter of the bundle and the feature set served with it: marking a feature sensitive takes effect before the next training.
                    Sensitivity = (FeatureSensitivity)Math.Max((int)(input.Sensitive ?? FeatureSensitivity.None), (int)(featureSet?.Find(input.Name)?.Sensitive ?? FeatureSensitivity.None)),
                };
            }),
        ];
    }
}
