using System.Collections.Frozen;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

using Mlops.Runtime.Features;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores a linear ML.NET model without a <see cref="PredictionEngine{TSrc,TDst}"/>. The models this
/// framework trains with linear trainers are a sum of one term per feature: missing-value fills,
/// one-hot encoding and min-max normalisation act on each feature alone, and the trainer takes a dot
/// product. So each feature's term is worked out once, at load, from ML.NET's own output: a table
/// (category to term) for category features, a straight line for numbers. A row then costs one
/// lookup or one multiply-add per feature. A model with any other step (text featurisation, trees)
/// gets no such path; one that does is checked against ML.NET on mixed rows before it is used. The
/// probes and the check rows go through the model in one ML.NET transform, so working the path out
/// costs one pass over a few hundred rows and no prediction engine.
/// </summary>
internal sealed class LinearModelPath
{
    // Transforms that act on each column alone (or concatenate); anything else (text n-grams, trees, ...) stops the path.
    private static readonly FrozenSet<string> s_separableTransforms = new[]
    {
        "MissingValueReplacingTransformer", "ExpressionTransformer", "OneHotEncodingTransformer",
        "ColumnConcatenatingTransformer", "NormalizingTransformer", "ColumnCopyingTransformer",
        "ValueToKeyMappingTransformer", "KeyToVectorMappingTransformer",
    }.ToFrozenSet(StringComparer.Ordinal);

    private const double Tolerance = 1e-4;

    // Rows per block when scoring a batch (see ScoreColumns).
    private const int ScoreBlock = 1024;

    private readonly NumberTerm[] _numbers;
    private readonly TextTerm[] _texts;
    private readonly double _bias;
    private readonly Output _output;

    // The terms by category code for the last schema's declared categories (one schema serves a model, so one entry is enough).
    private volatile CodeTables? _codeTables;

    private LinearModelPath(NumberTerm[] numbers, TextTerm[] texts, double bias, Output output)
    {
        _numbers = numbers;
        _texts = texts;
        _bias = bias;
        _output = output;
    }

    /// <summary>The term of a number column: <c>Slope * x</c> (0 gives the base row's term), or <c>Missing</c> for NaN.</summary>
    private readonly record struct NumberTerm(double Slope, double Missing)
    {
        public double Of(float x) => float.IsNaN(x) ? Missing : Slope * x;
    }

    /// <summary>The terms of a category column, by category, for an undeclared value, and for a missing one (a fill may give it a category).</summary>
    private sealed record TextTerm(FrozenDictionary<string, double> Known, double Undeclared, double Missing)
    {
        public double Of(string? text) => text is null ? Missing : Known.TryGetValue(text, out var term) ? term : Undeclared;
    }

    private sealed record Output(PredictionKind Kind, PlattCalibrator? Calibrator, bool Exponential);

    /// <summary>Per column, the term of each category code: index 0 for a missing value, <c>k + 1</c> for declared category <c>k</c>.</summary>
    private sealed record CodeTables(object Categories, double[]?[] ByCode);

    /// <summary>
    /// Works out the linear path of a model, or says why there is none.
    /// </summary>
    /// <param name="context">The model's context.</param>
    /// <param name="model">The loaded model.</param>
    /// <param name="inputSchema">Its input schema.</param>
    /// <param name="rowType">Its input row class.</param>
    /// <param name="reason">Why there is no path, when null is returned.</param>
    public static LinearModelPath? TryCreate(MLContext context, ITransformer model, DataViewSchema inputSchema, FeatureRowType rowType, out string reason)
    {
        if (!TryReadPredictor(model, out var weights, out var bias, out var output, out reason))
        {
            return null;
        }

        var outputSchema = model.GetOutputSchema(inputSchema);
        var categories = new List<string>?[rowType.Columns.Count];
        for (var i = 0; i < rowType.Columns.Count; i++)
        {
            if (rowType.Columns[i].Kind == RowColumnKind.Text)
            {
                categories[i] = Categories(outputSchema, rowType.Columns[i].Name);
                if (categories[i] is null)
                {
                    reason = $"text column '{rowType.Columns[i].Name}' is not one-hot encoded";
                    return null;
                }
            }
        }

        // One probe row per value that matters, every other column at a fixed base (0, missing text),
        // so that a row's term is its feature vector's difference from the base row's, weighted.
        var probes = new List<object>();
        void Probe(int column, float number, string? text)
        {
            var row = rowType.NewRow();
            for (var c = 0; c < rowType.Columns.Count; c++)
            {
                if (rowType.Columns[c].Kind == RowColumnKind.Number)
                {
                    rowType.SetNumber(row, c, c == column ? number : 0f);
                }
                else
                {
                    rowType.SetText(row, c, c == column ? text : null);
                }
            }

            probes.Add(row);
        }

        Probe(-1, 0f, null);
        const float sample = 7.25f;

        // The slope is read far from 0: a centring normaliser ((x - mean) / deviation) gives the base row a
        // large feature value, and the float difference between x = 1 and x = 0 keeps only a few digits of it.
        const float far = 1 << 20;
        foreach (var (column, i) in rowType.Columns.Select((c, i) => (c, i)))
        {
            if (column.Kind == RowColumnKind.Number)
            {
                Probe(i, float.NaN, null);
                Probe(i, 1f, null);
                Probe(i, sample, null);
                Probe(i, far, null);
            }
            else
            {
                Probe(i, 0f, null);
                Probe(i, 0f, "\u0001undeclared");
                foreach (var category in categories[i]!)
                {
                    Probe(i, 0f, category);
                }
            }
        }

        var (checkBatch, checkRows) = CheckRows(rowType, categories);
        var (dots, expected) = Evaluate(context, model, rowType, [.. probes, .. checkRows], weights, output.Kind);
        var baseDot = dots[0];
        var numbers = new NumberTerm[rowType.Columns.Count];
        var texts = new TextTerm[rowType.Columns.Count];
        var next = 1;
        for (var i = 0; i < rowType.Columns.Count; i++)
        {
            if (rowType.Columns[i].Kind == RowColumnKind.Number)
            {
                var (missing, one, atSample, atFar) = (dots[next] - baseDot, dots[next + 1] - baseDot, dots[next + 2] - baseDot, dots[next + 3] - baseDot);
                next += 4;
                var slope = atFar / far;
                if (Math.Abs(slope - one) > Tolerance * Math.Max(1, Math.Abs(one))
                    || Math.Abs((slope * sample) - atSample) > Tolerance * Math.Max(1, Math.Abs(atSample)))
                {
                    reason = $"number column '{rowType.Columns[i].Name}' is not transformed linearly";
                    return null;
                }

                numbers[i] = new NumberTerm(slope, missing);
            }
            else
            {
                var missing = dots[next++] - baseDot;
                var undeclared = dots[next++] - baseDot;
                var known = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var category in categories[i]!)
                {
                    known[category] = dots[next++] - baseDot;
                }

                texts[i] = new TextTerm(known.ToFrozenDictionary(StringComparer.Ordinal), undeclared, missing);
            }
        }

        // The base row holds 0 for numbers: a term for x is slope * x over it.
        var path = new LinearModelPath(numbers, texts, bias + baseDot, output);
        if (path.Disagreement(checkBatch, expected.AsSpan(probes.Count)) is { } disagreement)
        {
            reason = disagreement;
            return null;
        }

        reason = "";
        return path;
    }

    /// <summary>
    /// Scores a batch column by column: each column adds its terms to every row's sum, reading a
    /// category's term by its code when checking gave one, so a category costs a table read.
    /// </summary>
    /// <param name="batch">The rows.</param>
    /// <param name="map">For each of the model's columns, the batch's column that holds it (-1: missing in every row).</param>
    public BatchPredictions Score(FeatureBatch batch, int[] map)
    {
        var count = batch.RowCount;
        var sums = new double[count];
        sums.AsSpan().Fill(_bias);
        var tables = batch.Categories is { } categories ? TablesFor(categories, map) : null;

        // A block of rows at a time, so that the sums being added to stay in the nearest cache.
        for (var start = 0; start < count; start += ScoreBlock)
        {
            var block = sums.AsSpan(start, Math.Min(ScoreBlock, count - start));
            for (var c = 0; c < _numbers.Length; c++)
            {
                var column = map[c];
                if (_texts[c] is { } text)
                {
                    AddTexts(block, start, text, batch, column, tables?[c]);
                }
                else
                {
                    AddNumbers(block, start, _numbers[c], column < 0 ? default : batch.Numbers(column));
                }
            }
        }

        var scores = new float[count];
        for (var r = 0; r < count; r++)
        {
            scores[r] = (float)sums[r];
        }

        if (_output.Kind != PredictionKind.Binary)
        {
            if (_output.Exponential)
            {
                for (var r = 0; r < count; r++)
                {
                    scores[r] = MathF.Exp(scores[r]);
                }
            }

            return new BatchPredictions(scores, null, null, null, null, []);
        }

        var positive = new bool[count];
        for (var r = 0; r < count; r++)
        {
            positive[r] = scores[r] > 0;
        }

        float[]? probabilities = null;
        if (_output.Calibrator is { } platt)
        {
            probabilities = new float[count];
            for (var r = 0; r < count; r++)
            {
                probabilities[r] = platt.PredictProbability(scores[r]);
            }
        }

        return new BatchPredictions(scores, probabilities, positive, null, null, []);
    }

    private static void AddNumbers(Span<double> sums, int start, NumberTerm term, ReadOnlySpan<float> numbers)
    {
        if (numbers.IsEmpty)
        {
            AddToAll(sums, term.Missing);
            return;
        }

        numbers = numbers.Slice(start, sums.Length);
        for (var r = 0; r < sums.Length; r++)
        {
            sums[r] += term.Of(numbers[r]);
        }
    }

    private static void AddTexts(Span<double> sums, int start, TextTerm term, FeatureBatch batch, int column, double[]? byCode)
    {
        if (column < 0 || !batch.IsSent(column))
        {
            AddToAll(sums, term.Missing);
        }
        else if (byCode is not null && batch.Codes(column) is { IsEmpty: false } all)
        {
            var codes = all.Slice(start, sums.Length);
            var undeclared = false;
            for (var r = 0; r < sums.Length; r++)
            {
                var code = codes[r];
                if (code >= FeatureBatch.MissingCode)
                {
                    sums[r] += byCode[code + 1];
                }
                else
                {
                    undeclared = true;
                }
            }

            // An undeclared category may still be one the model saw in training: look its text up.
            for (var r = 0; undeclared && r < sums.Length; r++)
            {
                sums[r] += codes[r] == FeatureBatch.UndeclaredCode ? term.Of(batch.TextAt(column, start + r)) : 0;
            }
        }
        else
        {
            var texts = batch.Texts(column).Slice(start, sums.Length);
            for (var r = 0; r < sums.Length; r++)
            {
                sums[r] += term.Of(texts[r]);
            }
        }
    }

    private static void AddToAll(Span<double> sums, double term)
    {
        for (var r = 0; r < sums.Length; r++)
        {
            sums[r] += term;
        }
    }

    private double[]?[] TablesFor(IReadOnlyList<IReadOnlyList<string>?> categories, int[] map)
    {
        // The batches of one schema share their categories, and one schema's map is always the same.
        if (_codeTables is { } cached && ReferenceEquals(cached.Categories, categories))
        {
            return cached.ByCode;
        }

        var tables = new double[]?[_texts.Length];
        for (var c = 0; c < tables.Length; c++)
        {
            if (_texts[c] is { } term && map[c] >= 0 && categories[map[c]] is { } declared)
            {
                tables[c] = [term.Missing, .. declared.Select(term.Of)];
            }
        }

        _codeTables = new CodeTables(categories, tables);
        return tables;
    }

    private static bool TryReadPredictor(ITransformer model, out IReadOnlyList<float> weights, out double bias, out Output output, out string reason)
    {
        weights = [];
        bias = 0;
        output = null!;
        var steps = Flatten(model).ToList();
        if (steps.Count == 0 || steps[^1] is not IPredictionTransformer<object> predictor)
        {
            reason = "the model does not end in a predictor";
            return false;
        }

        if (steps.Take(steps.Count - 1).FirstOrDefault(s => !s_separableTransforms.Contains(s.GetType().Name)) is { } other)
        {
            reason = $"step {other.GetType().Name} is not known to act on each feature alone";
            return false;
        }

        LinearModelParameters? linear;
        PlattCalibrator? calibrator = null;
        switch (predictor.Model)
        {
            case CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator> calibrated:
                linear = calibrated.SubModel;
                calibrator = calibrated.Calibrator;
                break;
            case LinearModelParameters plain:
                linear = plain;
                break;
            default:
                reason = $"the predictor {predictor.Model.GetType().Name} is not a linear model this path knows";
                return false;
        }

        // ML.NET keeps a binary predictor's threshold internal; its default is Score > 0, and the
        // check against the engine at load compares the predicted class too.
        PredictionKind? kind = predictor switch
        {
            BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> => PredictionKind.Binary,
            BinaryPredictionTransformer<LinearBinaryModelParameters> => PredictionKind.Binary,
            RegressionPredictionTransformer<LinearRegressionModelParameters> => PredictionKind.Regression,
            RegressionPredictionTransformer<PoissonRegressionModelParameters> => PredictionKind.Regression,
            _ => null,
        };
        if (kind is null)
        {
            reason = $"the prediction step {predictor.GetType().Name} is not one this path knows";
            return false;
        }

        weights = linear.Weights;
        bias = linear.Bias;
        output = new Output(kind.Value, calibrator, linear is PoissonRegressionModelParameters);
        reason = "";
        return true;
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) => model is IEnumerable<ITransformer> chain
        ? chain.SelectMany(Flatten)
        : [model];

    /// <summary>The categories of a one-hot encoded column (its output's slot names), or null when the column is not one.</summary>
    private static List<string>? Categories(DataViewSchema outputSchema, string name)
    {
        var column = outputSchema.GetColumnOrNull(name);
        if (column is not { Type: VectorDataViewType { Size: > 0 } vector } || !column.Value.HasSlotNames())
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Value.GetSlotNames(ref names);
        var categories = names.DenseValues().Select(n => n.ToString()).ToList();
        return categories.Count == vector.Size && categories.Distinct(StringComparer.Ordinal).Count() == categories.Count ? categories : null;
    }

    /// <summary>
    /// One ML.NET transform of the rows: each row's feature vector (as the predictor sees it) dotted
    /// with the weights, in double, and the model's own prediction of it, to check the path against.
    /// </summary>
    private static (double[] Dots, Prediction[] Predictions) Evaluate(MLContext context, ITransformer model, FeatureRowType rowType, List<object> rows, IReadOnlyList<float> weights, PredictionKind kind)
    {
        var transformed = model.Transform(rowType.ToDataView(context, rows));
        var schema = transformed.Schema;
        var features = schema[ModelColumns.Features];
        var score = schema[ModelColumns.Score];
        var probability = schema.GetColumnOrNull(ModelColumns.Probability);
        var label = kind == PredictionKind.Binary ? schema.GetColumnOrNull(ModelColumns.PredictedLabel) : null;
        var dots = new double[rows.Count];
        var predictions = new Prediction[rows.Count];
        using var cursor = transformed.GetRowCursor([features, score, .. probability is { } p ? [p] : Array.Empty<DataViewSchema.Column>(), .. label is { } l ? [l] : Array.Empty<DataViewSchema.Column>()]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
        var getScore = cursor.GetGetter<float>(score);
        var getProbability = probability is { } pc ? cursor.GetGetter<float>(pc) : null;
        var getLabel = label is { } lc ? cursor.GetGetter<bool>(lc) : null;
        VBuffer<float> vector = default;
        for (var r = 0; cursor.MoveNext(); r++)
        {
            getFeatures(ref vector);
            var dot = 0.0;
            foreach (var (slot, value) in vector.Items())
            {
                dot += (double)weights[slot] * value;
            }

            dots[r] = dot;
            float rowScore = 0, rowProbability = 0;
            var positive = false;
            getScore(ref rowScore);
            getProbability?.Invoke(ref rowProbability);
            getLabel?.Invoke(ref positive);
            predictions[r] = new Prediction(rowScore, getProbability is null ? null : rowProbability, getLabel is null ? null : positive, null, null);
        }

        return (dots, predictions);
    }

    /// <summary>Mixed rows to check the path on: every number column missing in some rows, every category column each category, missing and undeclared; as a batch and as ML.NET rows.</summary>
    private static (FeatureBatch Batch, List<object> Rows) CheckRows(FeatureRowType rowType, List<string>?[] categories)
    {
        const int rows = 48;
        var count = rowType.Columns.Count;
        var batch = new FeatureBatch(rowType.Columns, rowType.IndexOf, rows);
        var engineRows = new List<object>(rows);
        for (var r = 0; r < rows; r++)
        {
            engineRows.Add(rowType.NewRow());
        }

        for (var c = 0; c < count; c++)
        {
            if (rowType.Columns[c].Kind == RowColumnKind.Number)
            {
                var numbers = batch.SendNumbers(c);
                for (var r = 0; r < rows; r++)
                {
                    numbers[r] = r % 7 == c % 7 ? float.NaN : ((r * 31) + (c * 17)) % 97 * 0.75f;
                    rowType.SetNumber(engineRows[r], c, numbers[r]);
                }
            }
            else
            {
                var texts = batch.SendTexts(c);
                var known = categories[c]!;
                for (var r = 0; r < rows; r++)
                {
                    texts[r] = (r + c) % (known.Count + 2) is var k && k < known.Count ? known[k] : k == known.Count ? null : "\u0001undeclared";
                    rowType.SetText(engineRows[r], c, texts[r]);
                }
            }
        }

        return (batch, engineRows);
    }

    /// <summary>Scores the check rows by the path; says where they differ from ML.NET's predictions of them, or null when they agree.</summary>
    private string? Disagreement(FeatureBatch batch, ReadOnlySpan<Prediction> expected)
    {
        var actual = Score(batch, [.. Enumerable.Range(0, batch.Columns.Count)]);
        for (var r = 0; r < batch.RowCount; r++)
        {
            var mine = actual[r];
            if (!Close(expected[r].Score, mine.Score) || !Close(expected[r].Probability, mine.Probability)
                || (expected[r].IsPositive != mine.IsPositive && Math.Abs(expected[r].Score) > Tolerance))
            {
                return $"checked against ML.NET on mixed rows, row {r} scored {mine.Score} instead of {expected[r].Score}";
            }
        }

        return null;
    }

    private static bool Close(float? expected, float? actual) =>
        expected is null == actual is null
        && (expected is null || (float.IsNaN(expected.Value) && float.IsNaN(actual!.Value))
            || Math.Abs(expected.Value - actual!.Value) <= Tolerance * Math.Max(1, Math.Abs(expected.Value)));
}
