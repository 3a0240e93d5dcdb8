using Mlops.Runtime.Data;
using System.Globalization;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Validation;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>
/// A model's data rows (a batch of the feature set's <see cref="InputSchema"/>, read with the runtime's
/// value rules), its labels, and the split into training and holdout rows. Training and evaluation
/// both start from here, so they see the same rows in the same split.
/// </summary>
internal sealed class TrainingData
{
    private TrainingData(ModelData data, FeatureBatch rows, IReadOnlyList<Feature> features)
    {
        Model = data.Model;
        FeatureSet = data.FeatureSet;
        Schema = data.Schema;
        Rows = rows;
        Features = features;
        RowType = FeatureRowType.For(data.FeatureSet.Value);
        Labels = [.. data.Labels];
        Lines = data.Lines;
        SplitKeys = data.SplitKeys;
        DataPath = data.DataPath;
        DataDigest = data.Digest!;
    }

    /// <summary>The same rows with another split: <paramref name="train"/> to fit on, <paramref name="holdout"/> to score (a fold's view).</summary>
    private TrainingData(TrainingData source, int[] train, int[] holdout)
    {
        Model = source.Model;
        FeatureSet = source.FeatureSet;
        Schema = source.Schema;
        Rows = source.Rows;
        Features = source.Features;
        RowType = source.RowType;
        Labels = source.Labels;
        Lines = source.Lines;
        SplitKeys = source.SplitKeys;
        DataPath = source.DataPath;
        DataDigest = source.DataDigest;
        Train = train;
        Holdout = holdout;
    }

    public Declared<ModelSpec> Model { get; }

    public Declared<FeatureSet> FeatureSet { get; }

    /// <summary>The feature set's data features as the runtime checks them (the schema of <see cref="Rows"/>).</summary>
    public InputSchema Schema { get; }

    /// <summary>Every row, by column.</summary>
    public FeatureBatch Rows { get; }

    /// <summary>The data features in row order (the columns of <see cref="RowType"/> and <see cref="Rows"/>).</summary>
    public IReadOnlyList<Feature> Features { get; }

    public FeatureRowType RowType { get; }

    /// <summary>The label column as written, per row.</summary>
    public string[] Labels { get; }

    /// <summary>Each row's split key: its entity's value when the feature set declares one, else the whole record.</summary>
    public IReadOnlyList<string> SplitKeys { get; }

    /// <summary>The line of the data file each row starts on.</summary>
    public IReadOnlyList<int> Lines { get; }

    public string DataPath { get; }

    public string DataDigest { get; }

    public int Count => Labels.Length;

    public int[] Train { get; private set; } = [];

    public int[] Holdout { get; private set; } = [];

    /// <summary>Reads, checks and hashes the data in one pass, and splits it.</summary>
    /// <exception cref="TrainingException">The data fails validation, or cannot be split.</exception>
    public static async Task<TrainingData> LoadAsync(string root, Declared<ModelSpec> model, Declared<FeatureSet> featureSet, CancellationToken cancellationToken, DataCache? cache = null) =>
        From(await DataValidator.ReadAsync(root, model, featureSet, keepRows: true, cancellationToken, cache).ConfigureAwait(false));

    /// <summary>Splits rows already read (and kept) by <see cref="DataValidator.ReadAsync"/>.</summary>
    /// <exception cref="TrainingException">The data has errors, or cannot be split.</exception>
    public static TrainingData From(ModelData read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var errors = read.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }

        if (read.Rows is not { } rows)
        {
            throw new ArgumentException("The data was read without keeping its rows; read it with keepRows: true.", nameof(read));
        }

        var data = new TrainingData(read, rows, [.. read.FeatureSet.Value.Features.Where(f => f.Source == FeatureSource.Data)]);
        if (read.Model.Value.Data.Split.TimeColumn is null)
        {
            data.SplitByHash(read.SplitKeys);
        }
        else
        {
            data.SplitByTime(read.Times);
        }

        return data;
    }

    /// <summary>
    /// The fold (0 to <paramref name="folds"/> - 1) of each of <see cref="Train"/>'s rows, in <see cref="Train"/>'s order.
    /// Rows sharing a split key (the entity, or the whole record) form one group and land in one fold. Groups are
    /// stratified by their label (classification; the group's most frequent label, ties by ordinal order): within a
    /// class, groups are taken in the order of <see cref="UnitHash"/> of their key and the fold seed, and each goes to
    /// the fold holding the fewest rows of that class so far (then the fewest rows, then the lowest number). The
    /// assignment depends on the keys, labels and seed only, not on the file's row order.
    /// </summary>
    /// <param name="folds">Folds, at least 2.</param>
    /// <param name="seed">The seed of the order (the split seed).</param>
    public int[] AssignFolds(int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var spec = Model.Value;
        var groups = Train
            .GroupBy(r => SplitKeys[r], StringComparer.Ordinal)
            .Select(g =>
            {
                var rows = g.ToArray();
                var stratum = spec.Task == ModelTask.Regression ? string.Empty
                    : rows.Select(r => StratumOf(Labels[r])).GroupBy(l => l, StringComparer.Ordinal)
                        .OrderByDescending(l => l.Count()).ThenBy(l => l.Key, StringComparer.Ordinal).First().Key;
                return (Key: g.Key, Rows: rows, Stratum: stratum, Order: UnitHash(g.Key, seed));
            })
            .OrderBy(g => g.Stratum, StringComparer.Ordinal).ThenBy(g => g.Order).ThenBy(g => g.Key, StringComparer.Ordinal);

        var position = new Dictionary<int, int>(Train.Length);
        for (var i = 0; i < Train.Length; i++)
        {
            position[Train[i]] = i;
        }

        var assignment = new int[Train.Length];
        var total = new int[folds];
        var perStratum = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (!perStratum.TryGetValue(group.Stratum, out var counts))
            {
                perStratum[group.Stratum] = counts = new int[folds];
            }

            var fold = Enumerable.Range(0, folds).OrderBy(f => counts[f]).ThenBy(f => total[f]).ThenBy(f => f).First();
            counts[fold] += group.Rows.Length;
            total[fold] += group.Rows.Length;
            foreach (var row in group.Rows)
            {
                assignment[position[row]] = fold;
            }
        }

        return assignment;

        string StratumOf(string label) => spec.Task == ModelTask.BinaryClassification ? (label == spec.Label.Positive ? "1" : "0") : label;
    }

    /// <summary>Fold <paramref name="fold"/> of <paramref name="assignment"/> (from <see cref="AssignFolds"/>): the other folds train, this one is held out.</summary>
    public TrainingData Fold(int[] assignment, int fold)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return WithSplit([.. Train.Where((_, i) => assignment[i] != fold)], [.. Train.Where((_, i) => assignment[i] == fold)]);
    }

    /// <summary>The same rows split otherwise: <paramref name="train"/> to fit on, <paramref name="holdout"/> to score.</summary>
    public TrainingData WithSplit(int[] train, int[] holdout) => new(this, train, holdout);

    /// <summary>Whether a column holds numbers (float, int and bool features) rather than texts.</summary>
    public bool IsNumber(int column) => Rows.Columns[column].Kind == RowColumnKind.Number;

    /// <summary>A number column's value in a row (NaN when missing).</summary>
    public float NumberAt(int column, int row) => Rows.NumberAt(column, row);

    /// <summary>A text column's value in a row (null when missing).</summary>
    public string? TextAt(int column, int row) => Rows.TextAt(column, row);

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

    private void Fill(object row, int index)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (IsNumber(i))
            {
                RowType.SetNumber(row, i, Rows.NumberAt(i, index));
            }
            else
            {
                RowType.SetText(row, i, Rows.TextAt(i, index));
            }
        }
    }

    /// <summary>
    /// A row is held out when the hash of its key (the entity column if the feature set declares one,
    /// else the whole row) and the seed falls below the holdout fraction: the same row always lands on
    /// the same side, whatever the file order, and duplicate rows never straddle the split.
    /// </summary>
    private void SplitByHash(IReadOnlyList<string> keys)
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
    private void SplitByTime(IReadOnlyList<(string Text, CsvPosition Position)> times)
    {
        var column = Model.Value.Data.Split.TimeColumn!;
        var keys = new double[times.Count];
        var asNumbers = times.All(t => IsNumber(t.Text, out _));
        var bad = new List<(string Text, CsvPosition Position)>();
        for (var i = 0; i < times.Count; i++)
        {
            if (asNumbers && IsNumber(times[i].Text, out var number))
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

    /// <summary>A finite number written as data writes numbers (the feature rules' reading).</summary>
    internal static bool IsNumber(string text, out double number) => FeatureInput.TryParseNumber(text, out number) && double.IsFinite(number);

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
