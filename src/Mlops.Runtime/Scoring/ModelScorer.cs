using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores single rows with a saved ML.NET model (a zip written by training). The input row class is
/// rebuilt from the model's input schema with <see cref="FeatureRowType.FromSchema"/>, the same class
/// training used. A linear model whose features are each transformed alone is scored by per-feature
/// terms worked out at load (<see cref="ScoringPath"/>); any other model through
/// <see cref="PredictionEngine{TSrc,TDst}"/>s, which are not thread-safe, so each call rents one from
/// a pool. The scorer itself is safe to share between threads.
/// </summary>
public sealed class ModelScorer : IScorer
{
    private static readonly MethodInfo s_createEngine = typeof(ModelScorer).GetMethod(nameof(CreateEngine), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly ConcurrentBag<ScoringEngine> _pool = [];
    private readonly Func<ScoringEngine> _factory;
    private readonly int _maximumRetained;
    private readonly Lock _createLock = new();
    private readonly LinearModelPath? _linear;
    private volatile IReadOnlyList<RowColumn>? _matchedColumns;
    private int _retained;

    private ModelScorer(MLContext context, ITransformer model, DataViewSchema inputSchema, int maximumRetained)
    {
        RowType = FeatureRowType.FromSchema(inputSchema);
        var output = model.GetOutputSchema(inputSchema);
        var predicted = output.GetColumnOrNull(ModelColumns.PredictedLabel);
        Kind = predicted is null ? PredictionKind.Regression
            : predicted.Value.Type is KeyDataViewType ? PredictionKind.Multiclass
            : PredictionKind.Binary;
        HasProbability = Kind == PredictionKind.Binary && output.GetColumnOrNull(ModelColumns.Probability) is not null;
        Classes = Kind == PredictionKind.Multiclass ? SlotNames(output[ModelColumns.Score]) : [];
        _maximumRetained = maximumRetained;

        var classes = Classes;
        var (outputType, convert) = Kind switch
        {
            PredictionKind.Binary when HasProbability => (typeof(CalibratedBinaryOutput), (Delegate)(Func<CalibratedBinaryOutput, Prediction>)(o =>
                new Prediction(o.Score, o.Probability, o.PredictedLabel, null, null))),
            PredictionKind.Binary => (typeof(BinaryOutput), (Func<BinaryOutput, Prediction>)(o =>
                new Prediction(o.Score, null, o.PredictedLabel, null, null))),
            PredictionKind.Multiclass => (typeof(MulticlassOutput), (Func<MulticlassOutput, Prediction>)(o => Multiclass(o, classes))),
            _ => (typeof(RegressionOutput), (Func<RegressionOutput, Prediction>)(o => new Prediction(o.Score, null, null, null, null))),
        };
        var create = s_createEngine.MakeGenericMethod(RowType.Type, outputType);
        _factory = () =>
        {
            lock (_createLock)
            {
                return (ScoringEngine)create.Invoke(null, [context, model, RowType, convert])!;
            }
        };

        var checker = _factory();
        _linear = LinearModelPath.TryCreate(context, model, inputSchema, RowType, checker.Predict, out var reason);
        ScoringPath = _linear is null ? $"ML.NET prediction engine ({reason})" : "linear terms (checked against ML.NET at load)";
        Return(checker);
    }

    /// <summary>
    /// How rows are scored: by linear terms worked out at load (linear models whose features are each
    /// transformed alone; several times faster than an engine), or by pooled ML.NET prediction engines,
    /// with the reason the faster path does not apply.
    /// </summary>
    public string ScoringPath { get; }

    /// <summary>The input row class, rebuilt from the model's input schema.</summary>
    public FeatureRowType RowType { get; }

    /// <summary>What the model predicts.</summary>
    public PredictionKind Kind { get; }

    /// <summary>Whether a binary model gives probabilities.</summary>
    public bool HasProbability { get; }

    /// <summary>Multiclass: the classes in the model's order; otherwise empty.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Loads a saved model.</summary>
    /// <param name="path">The model zip.</param>
    /// <param name="maximumRetained">How many idle prediction engines the pool keeps; the default is twice the processor count.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model of this framework, or it needs a component this host lacks; the message names it.</exception>
    public static ModelScorer Load(string path, int? maximumRetained = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        return Load(stream, maximumRetained);
    }

    /// <summary>Loads a saved model from a stream (read to its end; the stream stays open).</summary>
    /// <exception cref="InvalidDataException">The stream is not an ML.NET model of this framework, or it needs a component (an ML.NET assembly, a loader signature) this host lacks; the message names it.</exception>
    public static ModelScorer Load(Stream stream, int? maximumRetained = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var start = stream.CanSeek ? stream.Position : -1;
        var context = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = context.Model.Load(stream, out inputSchema);
        }
        catch (Exception e) when (ModelLoadFailure.IsLoadFailure(e))
        {
            // ML.NET's loaders run through reflection: say which component or assembly is missing instead.
            throw ModelLoadFailure.Describe(e, ModelLoadFailure.Rewind(stream, start));
        }

        try
        {
            return new ModelScorer(context, model, inputSchema, maximumRetained ?? Environment.ProcessorCount * 2);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <summary>Scores one row given as feature name to value; a feature left out is missing.</summary>
    /// <param name="features">Values by feature name (see <see cref="FeatureValues"/> for what each column accepts).</param>
    /// <exception cref="ArgumentException">A name is not a feature of the model, or a value does not fit its column.</exception>
    public Prediction Score(IReadOnlyDictionary<string, object?> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features is FeatureRow row && HasRowType(row.Columns))
        {
            return ScoreRead(row.Numbers, row.Texts);
        }

        var count = RowType.Columns.Count;
        var numbers = ArrayPool<float>.Shared.Rent(count);
        var texts = ArrayPool<string?>.Shared.Rent(count);
        try
        {
            Read(features, numbers.AsSpan(0, count), texts.AsSpan(0, count));
            return ScoreRead(numbers.AsSpan(0, count), texts.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(numbers);
            ArrayPool<string?>.Shared.Return(texts, clearArray: true);
        }
    }

    /// <summary>
    /// Scores several rows with one prediction engine: the pool is visited once per call instead of
    /// once per row. Answer <c>i</c> belongs to row <c>i</c>.
    /// </summary>
    /// <param name="rows">The rows, each given as feature name to value.</param>
    /// <exception cref="ArgumentException">A row has a name that is not a feature, or a value that does not fit its column; the whole call fails.</exception>
    public Prediction[] ScoreBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var predictions = new Prediction[rows.Count];
        if (predictions.Length == 0)
        {
            return predictions;
        }

        var count = RowType.Columns.Count;
        var numbers = new float[count];
        var texts = new string?[count];
        var engine = _linear is null ? Rent() : null;
        try
        {
            for (var i = 0; i < predictions.Length; i++)
            {
                if (rows[i] is FeatureRow row && HasRowType(row.Columns))
                {
                    predictions[i] = engine is null ? _linear!.Score(row.Numbers, row.Texts) : Predict(engine, row.Numbers, row.Texts);
                    continue;
                }

                Read(rows[i] ?? throw new ArgumentException($"Row {i} is null; send an object of features.", nameof(rows)), numbers, texts);
                predictions[i] = engine is null ? _linear!.Score(numbers, texts) : Predict(engine, numbers, texts);
            }
        }
        finally
        {
            if (engine is not null)
            {
                Return(engine);
            }
        }

        return predictions;
    }

    /// <summary>
    /// Scores a batch held by column. A linear model (<see cref="ScoringPath"/>) adds each column's
    /// terms to every row at once; any other model scores the rows with one prediction engine.
    /// </summary>
    /// <param name="batch">The rows, from <c>InputSchema.CheckColumns</c>.</param>
    /// <exception cref="ArgumentException">A column is not a feature of the model; the whole call fails.</exception>
    public BatchPredictions ScoreBatch(FeatureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!HasRowType(batch.Columns))
        {
            return BatchPredictions.From(ScoreBatch(batch.Rows()));
        }

        if (_linear is not null)
        {
            return _linear.ScoreColumns(batch);
        }

        var count = RowType.Columns.Count;
        var numbers = new float[count];
        var texts = new string?[count];
        var predictions = new Prediction[batch.RowCount];
        var engine = Rent();
        try
        {
            for (var r = 0; r < predictions.Length; r++)
            {
                for (var c = 0; c < count; c++)
                {
                    var columnNumbers = batch.Numbers(c);
                    var columnTexts = batch.Texts(c);
                    numbers[c] = columnNumbers.IsEmpty ? float.NaN : columnNumbers[r];
                    texts[c] = columnTexts.IsEmpty ? null : columnTexts[r];
                }

                predictions[r] = Predict(engine, numbers, texts);
            }
        }
        finally
        {
            Return(engine);
        }

        return BatchPredictions.From(predictions);
    }

    /// <summary>Whether checked values have this model's columns in this model's order, so they can be read by index.</summary>
    private bool HasRowType(IReadOnlyList<RowColumn> columns)
    {
        // Rows of one input schema share one column list: compare it once, then by reference.
        if (ReferenceEquals(columns, _matchedColumns))
        {
            return true;
        }

        if (!columns.SequenceEqual(RowType.Columns))
        {
            return false;
        }

        _matchedColumns = columns;
        return true;
    }

    private Prediction ScoreRead(ReadOnlySpan<float> numbers, ReadOnlySpan<string?> texts)
    {
        if (_linear is not null)
        {
            return _linear.Score(numbers, texts);
        }

        var engine = Rent();
        try
        {
            return Predict(engine, numbers, texts);
        }
        finally
        {
            Return(engine);
        }
    }

    private Prediction Predict(ScoringEngine engine, ReadOnlySpan<float> numbers, ReadOnlySpan<string?> texts)
    {
        for (var i = 0; i < RowType.Columns.Count; i++)
        {
            if (RowType.Columns[i].Kind == RowColumnKind.Number)
            {
                RowType.SetNumber(engine.Row, i, numbers[i]);
            }
            else
            {
                RowType.SetText(engine.Row, i, texts[i]);
            }
        }

        return engine.Predict();
    }

    /// <summary>Reads a row's values by column: numbers NaN and texts null where a feature is left out.</summary>
    private void Read(IReadOnlyDictionary<string, object?> features, Span<float> numbers, Span<string?> texts)
    {
        numbers.Fill(float.NaN);
        texts.Clear();
        foreach (var (name, value) in features)
        {
            var index = RowType.IndexOf(name);
            if (index < 0)
            {
                var suggestion = Suggestions.Nearest(name, RowType.Columns.Select(c => c.Name));
                throw new ArgumentException(
                    $"'{name}' is not a feature of this model." + (suggestion is null ? " Remove it." : $" Did you mean '{suggestion}'?"), nameof(features));
            }

            if (RowType.Columns[index].Kind == RowColumnKind.Number)
            {
                if (!FeatureValues.TryToNumber(value, out var number))
                {
                    throw new ArgumentException($"Feature '{name}' takes a number (or a bool), not '{value}'.", nameof(features));
                }

                numbers[index] = number;
            }
            else
            {
                if (!FeatureValues.TryToText(value, out var text))
                {
                    throw new ArgumentException($"Feature '{name}' takes text, not '{value}'.", nameof(features));
                }

                texts[index] = text;
            }
        }
    }

    private static ScoringEngine CreateEngine<TRow, TOut>(MLContext context, ITransformer model, FeatureRowType rowType, Func<TOut, Prediction> convert)
        where TRow : class
        where TOut : class, new() => new ScoringEngine<TRow, TOut>(context, model, rowType, convert);

    private static Prediction Multiclass(MulticlassOutput output, IReadOnlyList<string> classes)
    {
        var scores = new Dictionary<string, float>(classes.Count, StringComparer.Ordinal);
        for (var i = 0; i < classes.Count && i < output.Score.Length; i++)
        {
            scores[classes[i]] = output.Score[i];
        }

        var key = (int)output.PredictedLabel;
        var label = key >= 1 && key <= classes.Count ? classes[key - 1] : null;
        var score = key >= 1 && key <= output.Score.Length ? output.Score[key - 1] : float.NaN;
        return new Prediction(score, null, null, label, scores);
    }

    private static List<string> SlotNames(DataViewSchema.Column column)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    private ScoringEngine Rent()
    {
        if (_pool.TryTake(out var engine))
        {
            Interlocked.Decrement(ref _retained);
            return engine;
        }

        return _factory();
    }

    private void Return(ScoringEngine engine)
    {
        if (Interlocked.Increment(ref _retained) <= _maximumRetained)
        {
            _pool.Add(engine);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }
}
