using System.Globalization;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Validation;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>
/// A model's data file read into columns with the validation parse rules, its labels, and the split
/// into training and holdout rows. Training and evaluation both load through here, so they see the
/// same rows in the same split.
/// </summary>
internal sealed class TrainingData
{
    private readonly float[]?[] _numbers;
    private readonly string?[]?[] _texts;

    private TrainingData(
        Declared<ModelSpec> model,
        Declared<FeatureSet> featureSet,
        IReadOnlyList<Feature> features,
        FeatureRowType rowType,
        float[]?[] numbers,
        string?[]?[] texts,
        string[] labels,
        string dataPath,
        string dataDigest)
    {
        Model = model;
        FeatureSet = featureSet;
        Features = features;
        RowType = rowType;
        _numbers = numbers;
        _texts = texts;
        Labels = labels;
        DataPath = dataPath;
        DataDigest = dataDigest;
    }

    public Declared<ModelSpec> Model { get; }

    public Declared<FeatureSet> FeatureSet { get; }

    /// <summary>The data features in row order (the columns of <see cref="RowType"/>).</summary>
    public IReadOnlyList<Feature> Features { get; }

    public FeatureRowType RowType { get; }

    /// <summary>The label column as written, per row.</summary>
    public string[] Labels { get; }

    public string DataPath { get; }

    public string DataDigest { get; }

    public int Count => Labels.Length;

    public int[] Train { get; private set; } = [];

    public int[] Holdout { get; private set; } = [];

    /// <summary>Validates the data against the declarations, reads it and splits it.</summary>
    /// <exception cref="TrainingException">The data fails validation, or cannot be split.</exception>
    public static async Task<TrainingData> LoadAsync(string root, Declared<ModelSpec> model, Declared<FeatureSet> featureSet, CancellationToken cancellationToken)
    {
        var check = await DataValidator.ValidateAsync(root, model, featureSet, cancellationToken).ConfigureAwait(false);
        var errors = check.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }

        var spec = model.Value;
        var (dataPath, file) = Data.DataPath.TryResolve(root, model, out var resolved, out var problem) ? resolved : throw new TrainingException(problem);
        var features = featureSet.Value.Features.Where(f => f.Source == FeatureSource.Data).ToList();
        var rowType = FeatureRowType.For(featureSet.Value);

        var numbers = new List<float>?[features.Count];
        var texts = new List<string?>?[features.Count];
        for (var i = 0; i < features.Count; i++)
        {
            if (rowType.Columns[i].Kind == RowColumnKind.Number)
            {
                numbers[i] = [];
            }
            else
            {
                texts[i] = [];
            }
        }

        var labels = new List<string>();
        var splitKeys = new List<string>();
        var times = new List<(string Text, CsvPosition Position)>();
        int[]? indexes = null;
        int label = -1, entity = -1, time = -1;

        using (var reader = new StreamReader(file, detectEncodingFromByteOrderMarks: true))
        {
            await foreach (var row in CsvReader.ReadAsync(reader, cancellationToken).ConfigureAwait(false))
            {
                if (indexes is null)
                {
                    indexes = [.. features.Select(f => Array.IndexOf(row.Fields, f.Name))];
                    label = Array.IndexOf(row.Fields, spec.Label.Column);
                    entity = featureSet.Value.Entity is { } key ? Array.IndexOf(row.Fields, key) : -1;
                    time = spec.Data.Split.TimeColumn is { } column ? Array.IndexOf(row.Fields, column) : -1;
                    continue;
                }

                for (var i = 0; i < features.Count; i++)
                {
                    var text = row.Fields[indexes[i]];
                    if (numbers[i] is { } column)
                    {
                        column.Add(ParseNumber(features[i], text));
                    }
                    else
                    {
                        texts[i]!.Add(text.Length == 0 ? null : text);
                    }
                }

                labels.Add(row.Fields[label]);
                splitKeys.Add(entity >= 0 ? row.Fields[entity] : string.Join('\u001f', row.Fields));
                if (time >= 0)
                {
                    times.Add((row.Fields[time], row.Positions[time]));
                }
            }
        }

        var data = new TrainingData(
            model,
            featureSet,
            features,
            rowType,
            [.. numbers.Select(c => c?.ToArray())],
            [.. texts.Select(c => c?.ToArray())],
            [.. labels],
            dataPath,
            await DataValidator.DigestAsync(file, cancellationToken).ConfigureAwait(false));
        if (spec.Data.Split.TimeColumn is null)
        {
            data.SplitByHash(splitKeys);
        }
        else
        {
            data.SplitByTime(times);
        }

        return data;
    }

    /// <summary>A column of numbers (NaN missing), or null for a text column.</summary>
    public float[]? Numbers(int column) => _numbers[column];

    /// <summary>A column of text (null missing), or null for a number column.</summary>
    public string?[]? Texts(int column) => _texts[column];

    /// <summary>A feature row (no label) for row <paramref name="index"/>.</summary>
    public object FeatureRow(int index)
    {
        var row = RowType.NewRow();
        Fill(row, index);
        return row;
    }

    /// <summary>A training row with its label.</summary>
    public object LabelledRow<T>(LabelledRowType type, int index, T label)
    {
        var row = type.NewRow();
        Fill(row, index);
        type.SetLabel(row, label);
        return row;
    }

    /// <summary>Row <paramref name="index"/> as a request would send it: name to value, missing values left out.</summary>
    public Dictionary<string, object?> ToRequest(int index)
    {
        var request = new Dictionary<string, object?>(Features.Count, StringComparer.Ordinal);
        for (var i = 0; i < Features.Count; i++)
        {
            if (_numbers[i] is { } numbers)
            {
                var value = numbers[index];
                if (!float.IsNaN(value))
                {
                    request[Features[i].Name] = Features[i].Type == FeatureType.Bool ? value == 1f : value;
                }
            }
            else if (_texts[i]![index] is { } text)
            {
                request[Features[i].Name] = text;
            }
        }

        return request;
    }

    private void Fill(object row, int index)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (_numbers[i] is { } numbers)
            {
                RowType.SetNumber(row, i, numbers[index]);
            }
            else
            {
                RowType.SetText(row, i, _texts[i]![index]);
            }
        }
    }

    private static float ParseNumber(Feature feature, string text)
    {
        if (text.Length == 0)
        {
            return float.NaN;
        }

        if (feature.Type == FeatureType.Bool)
        {
            return FeatureValueParser.TryParseBool(text, out var b) ? (b ? 1f : 0f) : float.NaN;
        }

        return FeatureValueParser.TryParseNumber(text, out var d) ? (float)d : float.NaN;
    }

    /// <summary>
    /// A row is held out when the hash of its key (the entity column if the feature set declares one,
    /// else the whole row) and the seed falls below the holdout fraction: the same row always lands on
    /// the same side, whatever the file order, and duplicate rows never straddle the split.
    /// </summary>
    private void SplitByHash(List<string> keys)
    {
        var split = Model.Value.Data.Split;
        var train = new List<int>();
        var holdout = new List<int>();
        for (var i = 0; i < keys.Count; i++)
        {
            (UnitHash(keys[i], split.Seed) < split.Holdout ? holdout : train).Add(i);
        }

        Train = [.. train];
        Holdout = [.. holdout];
    }

    /// <summary>Sorts by the time column (numbers, or dates) and holds out the latest rows.</summary>
    private void SplitByTime(List<(string Text, CsvPosition Position)> times)
    {
        var column = Model.Value.Data.Split.TimeColumn!;
        var keys = new double[times.Count];
        var asNumbers = times.All(t => FeatureValueParser.TryParseNumber(t.Text, out _));
        var bad = new List<(string Text, CsvPosition Position)>();
        for (var i = 0; i < times.Count; i++)
        {
            if (asNumbers && FeatureValueParser.TryParseNumber(times[i].Text, out var number))
            {
                keys[i] = number;
            }
            else if (!asNumbers && DateTimeOffset.TryParse(times[i].Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                keys[i] = date.UtcTicks;
            }
            else
            {
                bad.Add(times[i]);
            }
        }

        if (bad.Count > 0)
        {
            var first = bad[0];
            var examples = string.Join(", ", bad.Take(3).Select(b => $"'{b.Text}' (line {b.Position.Line})"));
            throw new TrainingException(TrainingDiagnostics.InvalidTimeValue.At(
                new SourceLocation(DataPath, first.Position.Line, first.Position.Column),
                $"split time column '{column}' has {bad.Count} value{(bad.Count == 1 ? "" : "s")} that {(bad.Count == 1 ? "is" : "are")} neither a number nor an ISO 8601 date: {examples}. "
                + "Fill them, or split at random by removing 'data.split.timeColumn'."));
        }

        var order = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
        var holdout = (int)Math.Round(keys.Length * Model.Value.Data.Split.Holdout, MidpointRounding.AwayFromZero);
        Train = [.. order.Take(keys.Length - holdout).Order()];
        Holdout = [.. order.Skip(keys.Length - holdout).Order()];
    }

    /// <summary>A deterministic value in [0, 1) from a key and a seed: FNV-1a, then SplitMix64's finaliser.</summary>
    internal static double UnitHash(string key, int seed)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = hash ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
