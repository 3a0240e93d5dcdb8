using Mlops.Runtime.Data;
using System.Globalization;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;
using Mlops.Runtime.Features;

namespace Mlops.Pipeline.Validation;

/// <summary>The findings about one model's data file, and how many rows were read.</summary>
/// <param name="Diagnostics">Every finding.</param>
/// <param name="Rows">Data rows read (the header excluded).</param>
public sealed record DataCheckResult(IReadOnlyList<Diagnostic> Diagnostics, int Rows);

/// <summary>
/// Checks a model's data file against its declarations: the file exists, matches its sha256,
/// and every row fits the feature set (types, ranges, categories, nulls) and the label.
/// Violations are counted per rule and column, with a few example lines. Values are read with
/// the runtime's feature rules (<see cref="FeatureInput"/>), the ones serving applies, in one pass
/// that also hashes the file and, when asked, keeps the rows for training and evaluation.
/// </summary>
public static class DataValidator
{
    // Rows per block while reading; the blocks are joined when the rows are kept.
    private const int Block = 8192;

    /// <summary>Checks the data of <paramref name="model"/> against <paramref name="features"/>.</summary>
    /// <param name="root">The repository root the data path is relative to.</param>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set the model names.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async Task<DataCheckResult> ValidateAsync(string root, Declared<ModelSpec> model, Declared<FeatureSet> features, CancellationToken cancellationToken = default)
    {
        var data = await ReadAsync(root, model, features, keepRows: false, cancellationToken).ConfigureAwait(false);
        return new DataCheckResult(data.Diagnostics, data.RowCount);
    }

    /// <summary>
    /// Reads a model's data file once: checks every row, hashes the bytes, and (with
    /// <paramref name="keepRows"/>) keeps the rows as a batch with their labels and split keys.
    /// </summary>
    /// <param name="root">The repository root the data path is relative to.</param>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set the model names.</param>
    /// <param name="keepRows">Whether to keep the rows (training and evaluation need them; validation alone does not).</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <param name="cache">Where a model without a data path gets its file (kept in the store); null for the repository's own cache and the store MLOPS_STORE (or the default) names.</param>
    public static async Task<ModelData> ReadAsync(string root, Declared<ModelSpec> model, Declared<FeatureSet> features, bool keepRows, CancellationToken cancellationToken = default, DataCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        var spec = model.Value;
        var schema = InputSchema.For(features.Value);
        string dataPath;
        string file;
        if (spec.Data.Path is null)
        {
            // Kept in the store: read the verified local copy; findings point into it.
            cache ??= new DataCache(root);
            dataPath = cache.DisplayPathOf(spec.Data.Digest);
            var (fetched, missing) = await cache.FetchAsync(model, cancellationToken).ConfigureAwait(false);
            if (fetched is null)
            {
                return ModelData.Failed(model, features, schema, dataPath, [missing!]);
            }

            file = fetched;
        }
        else if (!DataPath.TryResolve(root, model, out var resolved, out var problem))
        {
            return ModelData.Failed(model, features, schema, spec.Data.Path.Replace('\\', '/'), [problem]);
        }
        else
        {
            (dataPath, file) = resolved;
        }

        var diagnostics = new List<Diagnostic>();
        var rows = new ModelData.Builder(model, features, schema, dataPath, keepRows);
        string actual;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        await using (var hashing = new HashingReadStream(stream))
        {
            using (var reader = new StreamReader(hashing, detectEncodingFromByteOrderMarks: true, leaveOpen: true))
            {
                await CheckContentAsync(reader, dataPath, model, features, rows, diagnostics, cancellationToken).ConfigureAwait(false);
            }

            actual = await hashing.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!string.Equals(actual, spec.Data.Digest, StringComparison.Ordinal) && spec.Data.InStore)
        {
            // The copy was verified when fetched, so it changed on this disk since: drop it, and the next read fetches it again.
            cache!.Forget(spec.Data.Digest);
            diagnostics.Insert(0, DiagnosticIds.DataDigestMismatch.At(model.Map["data.digest"],
                $"the cached copy '{dataPath}' of model '{spec.Name}''s data hashes to {actual}, not {spec.Data.Digest}: it changed after it was fetched from the store. "
                + "It was deleted; run the command again to fetch it anew."));
        }
        else if (!string.Equals(actual, spec.Data.Digest, StringComparison.Ordinal))
        {
            diagnostics.Insert(0, DiagnosticIds.DataDigestMismatch.At(model.Map["data.digest"],
                $"data file '{dataPath}' has digest {actual}, not the declared {spec.Data.Digest}: the data changed since the model was declared. "
                + "If the change is intended, set 'data.digest' to the new digest; otherwise restore the file."));
        }

        return rows.Finish(diagnostics, actual);
    }

    private static async Task CheckContentAsync(TextReader reader, string dataPath, Declared<ModelSpec> model, Declared<FeatureSet> features, ModelData.Builder rows, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        RowChecker? checker = null;
        await using var csv = new CsvReader(reader);
        try
        {
            while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                if (checker is null)
                {
                    checker = RowChecker.Create(csv, dataPath, model, features, rows.Schema, diagnostics);
                    if (checker is null)
                    {
                        return;
                    }

                    continue;
                }

                checker.Check(rows);
            }
        }
        catch (CsvFormatException e)
        {
            diagnostics.Add(DiagnosticIds.MalformedCsv.At(new SourceLocation(dataPath, e.Position.Line, e.Position.Column),
                $"'{dataPath}' is not well-formed CSV: {e.Reason}. Rows after this point were not checked."));
        }

        if (checker is not null)
        {
            rows.AddBlock(checker.Flush());
        }

        if (checker is null || rows.RowCount == 0)
        {
            diagnostics.Add(DiagnosticIds.NoDataRows.At(new SourceLocation(dataPath, 1, 1),
                $"'{dataPath}' has {(checker is null ? "no header and " : "a header but ")}no data rows. A model needs a header line and at least one row."));
            return;
        }

        diagnostics.AddRange(checker.Finish());
    }

    /// <summary>Counts violations of one rule in one column; keeps the first few places.</summary>
    private sealed class Tally(string column)
    {
        private const int Examples = 5;

        public string Column { get; } = column;

        public int Count { get; private set; }

        public List<int> Lines { get; } = [];

        public List<string> Values { get; } = [];

        public CsvPosition First { get; private set; }

        public void Add(CsvPosition position, string value)
        {
            if (Count++ == 0)
            {
                First = position;
            }

            if (Lines.Count < Examples)
            {
                Lines.Add(position.Line);
            }

            if (Values.Count < 3 && !Values.Contains(value))
            {
                Values.Add(value);
            }
        }

        public string Rows => Count == 1 ? "1 row" : $"{Count.ToString("N0", CultureInfo.InvariantCulture)} rows";

        public string Are => Count == 1 ? "is" : "are";

        public string Where => $"line{(Lines.Count > 1 ? "s" : "")} {string.Join(", ", Lines)}{(Count > Lines.Count ? ", ..." : "")}";

        public string Quoted => string.Join(", ", Values.Select(v => $"'{v}'"));
    }

    /// <summary>The checks of every row after the header, with their tallies.</summary>
    private sealed class RowChecker
    {
        private readonly CsvReader _csv;
        private readonly string _dataPath;
        private readonly Declared<ModelSpec> _model;
        private readonly int _width;
        private readonly (Feature Feature, int Index, string Declared)[] _columns;
        private readonly int _label;
        private readonly int _entity;
        private readonly int _time;
        private readonly TextBatchWriter _writer;
        private readonly Dictionary<(string Rule, string Column), Tally> _tallies = [];
        private readonly HashSet<string> _labelValues = new(StringComparer.Ordinal);
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _labelLookup;
        private readonly Action<FeatureInput, int, ValueProblem> _problem;

        private RowChecker(CsvReader csv, string dataPath, Declared<ModelSpec> model, int width, (Feature, int, string)[] columns, int label, int entity, int time, TextBatchWriter writer)
        {
            _csv = csv;
            _labelLookup = _labelValues.GetAlternateLookup<ReadOnlySpan<char>>();
            _problem = (input, field, problem) => Tally(problem.Id, input.Name).Add(csv.PositionOf(field), csv.FieldText(field));
            _dataPath = dataPath;
            _model = model;
            _width = width;
            _columns = columns;
            _label = label;
            _entity = entity;
            _time = time;
            _writer = writer;
        }

        public static RowChecker? Create(CsvReader csv, string dataPath, Declared<ModelSpec> model, Declared<FeatureSet> features, InputSchema schema, List<Diagnostic> diagnostics)
        {
            var header = csv.ToRow();
            var names = header.Fields;
            var at = new SourceLocation(dataPath, header.Line, 1);
            foreach (var duplicate in names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                diagnostics.Add(DiagnosticIds.MalformedCsv.At(at,
                    $"the header of '{dataPath}' names column '{duplicate.Key}' {duplicate.Count()} times. Give every column its own name."));
            }

            var columns = new List<(Feature, int, string)>();
            for (var i = 0; i < features.Value.Features.Count; i++)
            {
                var feature = features.Value.Features[i];
                if (feature.Source == FeatureSource.Code)
                {
                    continue; // computed by a [FeatureTransform] method, not read from data
                }

                var index = Array.IndexOf(names, feature.Name);
                var declared = features.Map[$"features[{i}].name"].ToString();
                if (index < 0)
                {
                    var suggestion = Suggestions.Nearest(feature.Name, names);
                    diagnostics.Add(DiagnosticIds.MissingColumn.At(at,
                        $"'{dataPath}' has no column '{feature.Name}', declared at {declared}."
                        + (suggestion is null ? " Add the column, or remove the feature." : $" Its header has '{suggestion}': rename one of them.")));
                    continue;
                }

                columns.Add((feature, index, declared));
            }

            var spec = model.Value;
            var label = Array.IndexOf(names, spec.Label.Column);
            if (label < 0)
            {
                var suggestion = Suggestions.Nearest(spec.Label.Column, names);
                diagnostics.Add(DiagnosticIds.LabelColumnMissing.At(model.Map["label.column"],
                    $"label column '{spec.Label.Column}' is not in the header of '{dataPath}'."
                    + (suggestion is null ? " Correct 'label.column'." : $" Did you mean '{suggestion}'?")));
            }

            var time = spec.Data.Split.TimeColumn is { } timeColumn ? Array.IndexOf(names, timeColumn) : -1;
            if (spec.Data.Split.TimeColumn is { } missingTime && time < 0)
            {
                diagnostics.Add(DiagnosticIds.SplitColumnInvalid.At(model.Map["data.split.timeColumn"],
                    $"split time column '{missingTime}' is not in the header of '{dataPath}'. Correct 'data.split.timeColumn', or remove it for a random split."));
            }

            var entity = features.Value.Entity is { } key ? Array.IndexOf(names, key) : -1;
            return label < 0 && columns.Count == 0
                ? null
                : new RowChecker(csv, dataPath, model, names.Length, [.. columns], label, entity, time, new TextBatchWriter(schema, names, Block));
        }

        public void Check(ModelData.Builder rows)
        {
            var csv = _csv;
            rows.RowCount++;
            if (csv.FieldCount != _width)
            {
                Tally(DiagnosticIds.MalformedCsv.Id, "").Add(csv.PositionOf(0), csv.FieldCount.ToString(CultureInfo.InvariantCulture));
                return;
            }

            var clean = _writer.Write(csv, _problem);
            var label = _label >= 0 ? csv[_label] : default;
            string? labelText = null;
            if (_label >= 0)
            {
                if (label.IsEmpty)
                {
                    Tally(DiagnosticIds.LabelNullViolation.Id, _model.Value.Label.Column).Add(csv.PositionOf(_label), "");
                }
                else if (!_labelLookup.TryGetValue(label, out labelText) && _labelValues.Count < 1000)
                {
                    labelText = label.ToString();
                    _labelValues.Add(labelText);
                }
            }

            if (clean && rows.KeepsRows)
            {
                rows.Add(
                    csv.Line,
                    labelText ?? label.ToString(),
                    _entity >= 0 ? csv.FieldText(_entity) : WholeRecord(csv),
                    _time >= 0 ? (csv.FieldText(_time), csv.PositionOf(_time)) : default);
            }

            if (_writer.IsFull)
            {
                rows.AddBlock(_writer.Flush());
            }
        }

        /// <summary>The clean rows written since the last full block.</summary>
        public FeatureBatch Flush() => _writer.Flush();

        public IEnumerable<Diagnostic> Finish()
        {
            foreach (var tally in _tallies.OrderBy(t => t.Value.First.Line).ThenBy(t => t.Value.First.Column))
            {
                yield return Describe(tally.Key.Rule, tally.Value);
            }

            var spec = _model.Value;
            if (_label >= 0 && spec.Task == ModelTask.BinaryClassification && spec.Label.Positive is { } positive && !_labelValues.Contains(positive))
            {
                var seen = string.Join(", ", _labelValues.OrderBy(v => v, StringComparer.Ordinal).Take(5).Select(v => $"'{v}'"));
                yield return DiagnosticIds.PositiveLabelAbsent.At(_model.Map["label.positive"],
                    $"the positive label '{positive}' never occurs in column '{spec.Label.Column}' of '{_dataPath}', which holds {seen}. Correct 'label.positive'.");
            }
        }

        /// <summary>The whole record as one key (the split key of a feature set without an entity): its fields joined by U+001F.</summary>
        private static string WholeRecord(CsvReader csv)
        {
            var length = csv.FieldCount - 1;
            for (var i = 0; i < csv.FieldCount; i++)
            {
                length += csv[i].Length;
            }

            return string.Create(length, csv, static (into, record) =>
            {
                for (var i = 0; i < record.FieldCount; i++)
                {
                    if (i > 0)
                    {
                        into[0] = '\u001f';
                        into = into[1..];
                    }

                    record[i].CopyTo(into);
                    into = into[record[i].Length..];
                }
            });
        }

        private Tally Tally(string rule, string column)
        {
            if (!_tallies.TryGetValue((rule, column), out var tally))
            {
                tally = new Tally(column);
                _tallies[(rule, column)] = tally;
            }

            return tally;
        }

        private Diagnostic Describe(string rule, Tally tally)
        {
            var at = new SourceLocation(_dataPath, tally.First.Line, tally.First.Column);
            var column = _columns.FirstOrDefault(c => c.Feature.Name == tally.Column);
            var feature = column.Feature;
            var declared = column.Declared;
            var type = feature is null ? "" : DeclarationSchemas.FeatureTypeNames[(int)feature.Type];
            return rule switch
            {
                _ when rule == DiagnosticIds.MalformedCsv.Id => DiagnosticIds.MalformedCsv.At(at,
                    $"{tally.Rows} of '{_dataPath}' {(tally.Count == 1 ? "has" : "have")} a different number of fields than the header's {_width} ({tally.Where}). Fix the quoting or the separators of those rows."),
                _ when rule == DiagnosticIds.NullViolation.Id => DiagnosticIds.NullViolation.At(at,
                    $"column '{tally.Column}': {tally.Rows} {tally.Are} empty ({tally.Where}), but the feature is not nullable ({declared}). Fill the values, or declare 'nullable: true' with a 'fill'."),
                _ when rule == DiagnosticIds.ValueTypeViolation.Id => DiagnosticIds.ValueTypeViolation.At(at,
                    $"column '{tally.Column}': {tally.Rows} {tally.Are} not {Article(type)} ({tally.Quoted}; {tally.Where}); it is declared {type} at {declared}. Correct the data, or the declared type."),
                _ when rule == DiagnosticIds.RangeViolation.Id => DiagnosticIds.RangeViolation.At(at,
                    $"column '{tally.Column}': {tally.Rows} {tally.Are} outside [{Bound(feature!.Min)}, {Bound(feature.Max)}] declared at {declared} ({tally.Quoted}; {tally.Where}). Correct the data, or widen the declared range."),
                _ when rule == DiagnosticIds.CategoryViolation.Id => DiagnosticIds.CategoryViolation.At(at,
                    $"column '{tally.Column}': {tally.Rows} {(tally.Count == 1 ? "holds a value" : "hold values")} not declared at {declared} ({tally.Quoted}; {tally.Where}). Add them to 'values', or correct the data."),
                _ => DiagnosticIds.LabelNullViolation.At(at,
                    $"label column '{tally.Column}': {tally.Rows} {tally.Are} empty ({tally.Where}). Every training row needs a label: fill or drop those rows."),
            };
        }

        private static string Article(string type) => type switch
        {
            "int" => "an int",
            "float" => "a float",
            _ => $"a {type}",
        };

        private static string Bound(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "any";
    }
}
