using System.Globalization;
using System.Security.Cryptography;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;

namespace Mlops.Pipeline.Validation;

/// <summary>The findings about one model's data file, and how many rows were read.</summary>
/// <param name="Diagnostics">Every finding.</param>
/// <param name="Rows">Data rows read (the header excluded).</param>
public sealed record DataCheckResult(IReadOnlyList<Diagnostic> Diagnostics, int Rows);

/// <summary>
/// Checks a model's data file against its declarations: the file exists, matches its sha256,
/// and every row fits the feature set (types, ranges, categories, nulls) and the label.
/// Violations are counted per rule and column, with a few example lines.
/// </summary>
public static class DataValidator
{
    /// <summary>Checks the data of <paramref name="model"/> against <paramref name="features"/>.</summary>
    /// <param name="root">The repository root the data path is relative to.</param>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set the model names.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static async Task<DataCheckResult> ValidateAsync(string root, Declared<ModelSpec> model, Declared<FeatureSet> features, CancellationToken cancellationToken = default)
    {
        var spec = model.Value;
        if (!DataPath.TryResolve(root, model, out var resolved, out var problem))
        {
            return new DataCheckResult([problem], 0);
        }

        var (dataPath, file) = resolved;

        var diagnostics = new List<Diagnostic>();
        var actual = await DigestAsync(file, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(actual, spec.Data.Digest, StringComparison.Ordinal))
        {
            diagnostics.Add(DiagnosticIds.DataDigestMismatch.At(model.Map["data.digest"],
                $"data file '{dataPath}' has digest {actual}, not the declared {spec.Data.Digest}: the data changed since the model was declared. "
                + "If the change is intended, set 'data.digest' to the new digest; otherwise restore the file."));
        }

        var rows = await CheckContentAsync(file, dataPath, model, features, diagnostics, cancellationToken).ConfigureAwait(false);
        return new DataCheckResult(diagnostics, rows);
    }

    /// <summary>The sha256 of a file as <c>sha256:&lt;hex&gt;</c>.</summary>
    public static async Task<string> DigestAsync(string file, CancellationToken cancellationToken = default)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    private static async Task<int> CheckContentAsync(string file, string dataPath, Declared<ModelSpec> model, Declared<FeatureSet> features, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true);
        RowChecker? checker = null;
        var rows = 0;
        try
        {
            await foreach (var row in CsvReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false))
            {
                if (checker is null)
                {
                    checker = RowChecker.Create(row, dataPath, model, features, diagnostics);
                    if (checker is null)
                    {
                        return 0;
                    }

                    continue;
                }

                rows++;
                checker.Check(row);
            }
        }
        catch (CsvFormatException e)
        {
            diagnostics.Add(DiagnosticIds.MalformedCsv.At(new SourceLocation(dataPath, e.Position.Line, e.Position.Column),
                $"'{dataPath}' is not well-formed CSV: {e.Reason}. Rows after this point were not checked."));
        }

        if (checker is null || rows == 0)
        {
            diagnostics.Add(DiagnosticIds.NoDataRows.At(new SourceLocation(dataPath, 1, 1),
                $"'{dataPath}' has {(checker is null ? "no header and " : "a header but ")}no data rows. A model needs a header line and at least one row."));
            return rows;
        }

        diagnostics.AddRange(checker.Finish());
        return rows;
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
        private readonly string _dataPath;
        private readonly Declared<ModelSpec> _model;
        private readonly Declared<FeatureSet> _features;
        private readonly int _width;
        private readonly (Feature Feature, int Index, string Declared)[] _columns;
        private readonly int _label;
        private readonly Dictionary<(string Rule, string Column), Tally> _tallies = [];
        private readonly HashSet<string> _labelValues = new(StringComparer.Ordinal);

        private RowChecker(string dataPath, Declared<ModelSpec> model, Declared<FeatureSet> features, int width, (Feature, int, string)[] columns, int label)
        {
            _dataPath = dataPath;
            _model = model;
            _features = features;
            _width = width;
            _columns = columns;
            _label = label;
        }

        public static RowChecker? Create(CsvRow header, string dataPath, Declared<ModelSpec> model, Declared<FeatureSet> features, List<Diagnostic> diagnostics)
        {
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

            if (spec.Data.Split.TimeColumn is { } time && Array.IndexOf(names, time) < 0)
            {
                diagnostics.Add(DiagnosticIds.SplitColumnInvalid.At(model.Map["data.split.timeColumn"],
                    $"split time column '{time}' is not in the header of '{dataPath}'. Correct 'data.split.timeColumn', or remove it for a random split."));
            }

            return label < 0 && columns.Count == 0 ? null : new RowChecker(dataPath, model, features, names.Length, [.. columns], label);
        }

        public void Check(CsvRow row)
        {
            if (row.Fields.Length != _width)
            {
                Tally(DiagnosticIds.MalformedCsv.Id, "").Add(row.Positions[0], row.Fields.Length.ToString(CultureInfo.InvariantCulture));
                return;
            }

            foreach (var (feature, index, _) in _columns)
            {
                var value = row.Fields[index];
                var position = row.Positions[index];
                if (value.Length == 0)
                {
                    if (!feature.Nullable)
                    {
                        Tally(DiagnosticIds.NullViolation.Id, feature.Name).Add(position, value);
                    }

                    continue;
                }

                if (!FeatureValueParser.HasType(feature, value))
                {
                    Tally(DiagnosticIds.ValueTypeViolation.Id, feature.Name).Add(position, value);
                }
                else if (feature.IsNumeric && FeatureValueParser.TryParseNumber(value, out var number) && (number < feature.Min || number > feature.Max))
                {
                    Tally(DiagnosticIds.RangeViolation.Id, feature.Name).Add(position, value);
                }
                else if (feature.Type == FeatureType.Category && !feature.Values.Contains(value))
                {
                    Tally(DiagnosticIds.CategoryViolation.Id, feature.Name).Add(position, value);
                }
            }

            if (_label >= 0)
            {
                var label = row.Fields[_label];
                if (label.Length == 0)
                {
                    Tally(DiagnosticIds.LabelNullViolation.Id, _model.Value.Label.Column).Add(row.Positions[_label], label);
                }
                else if (_labelValues.Count < 1000)
                {
                    _labelValues.Add(label);
                }
            }
        }

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
