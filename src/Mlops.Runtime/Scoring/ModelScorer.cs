using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.Diagnostics;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores batches of rows with a saved ML.NET model (a zip written by training). The input row class is
/// rebuilt from the model's input schema with <see cref="FeatureRowType.FromSchema"/>, the same class
/// training used. A linear model whose features are each transformed alone is scored by per-feature
/// terms worked out at load (<see cref="ScoringPath"/>); any other model through
/// <see cref="PredictionEngine{TSrc,TDst}"/>s, which are not thread-safe, so each call rents one from
/// a pool. The scorer itself is safe to share between threads.
/// </summary>
public sealed class ModelScorer : IScorer
{
    private static readonly MethodInfo s_createEngine = typeof(ModelScorer).GetMethod(nameof(CreateEngine), BindingFlags.NonPublic | BindingFlags.Static)!;

    // Rows an engine scores in one go when a large batch is shared between engines.
    private const int ParallelChunk = 512;

    private readonly ConcurrentBag<ScoringEngine> _pool = [];
    private readonly Func<ScoringEngine> _factory;
    private readonly int _maximumRetained;
    private readonly Lock _createLock = new();
    private readonly LinearModelPath? _linear;
    private volatile ColumnMap? _map;
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
            PredictionKind.Binary when HasProbability => (typeof(CalibratedBinaryOutput), (Delegate)(Action<CalibratedBinaryOutput, PredictionArrays, int>)((o, into, r) =>
            {
                into.Scores[r] = o.Score;
                into.Probabilities![r] = o.Probability;
                into.IsPositive![r] = o.PredictedLabel;
            })),
            PredictionKind.Binary => (typeof(BinaryOutput), (Action<BinaryOutput, PredictionArrays, int>)((o, into, r) =>
            {
                into.Scores[r] = o.Score;
                into.IsPositive![r] = o.PredictedLabel;
            })),
            PredictionKind.Multiclass => (typeof(MulticlassOutput), (Action<MulticlassOutput, PredictionArrays, int>)((o, into, r) => Multiclass(o, classes, into, r))),
            _ => (typeof(RegressionOutput), (Action<RegressionOutput, PredictionArrays, int>)((o, into, r) => into.Scores[r] = o.Score)),
        };
        var create = s_createEngine.MakeGenericMethod(RowType.Type, outputType);
        _factory = () =>
        {
            lock (_createLock)
            {
                return (ScoringEngine)create.Invoke(null, [context, model, RowType, convert])!;
            }
        };

        _linear = LinearModelPath.TryCreate(context, model, inputSchema, RowType, out var reason);
        ScoringPath = _linear is null ? $"ML.NET prediction engine ({reason})" : "linear terms (checked against ML.NET at load)";
        if (_linear is null)
        {
            // Every call needs an engine: make the first at load, so a model that cannot have one fails here.
            Return(_factory());
        }
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

    /// <inheritdoc/>
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

    /// <summary>
    /// Scores a batch. A linear model (<see cref="ScoringPath"/>) adds each column's terms to every
    /// row at once; any other model scores the rows with pooled prediction engines: one for a small
    /// batch, several side by side (up to one per processor) for a batch of 1,024 rows or more.
    /// </summary>
    /// <param name="batch">The rows, from an <see cref="InputSchema"/>.</param>
    /// <exception cref="ArgumentException">The batch sends a column that is not a feature of the model; nothing is scored.</exception>
    public BatchPredictions Score(FeatureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var map = MapOf(batch.Columns);
        if (_linear is not null)
        {
            return _linear.Score(batch, map);
        }

        var into = NewArrays(batch.RowCount);
        if (batch.RowCount < 2 * ParallelChunk || Environment.ProcessorCount == 1)
        {
            ScoreRows(batch, map, into, 0, batch.RowCount);
            return into.ToBatch();
        }

        // An engine scores one row at a time: a large batch is cut into chunks that engines of the
        // pool score side by side, each writing its own rows of the answer.
        var chunks = (batch.RowCount + ParallelChunk - 1) / ParallelChunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
        {
            var start = chunk * ParallelChunk;
            ScoreRows(batch, map, into, start, Math.Min(batch.RowCount, start + ParallelChunk));
        });
        return into.ToBatch();
    }

    private void ScoreRows(FeatureBatch batch, int[] map, PredictionArrays into, int start, int end)
    {
        var engine = Rent();
        try
        {
            for (var r = start; r < end; r++)
            {
                for (var c = 0; c < map.Length; c++)
                {
                    var column = map[c];
                    if (RowType.Columns[c].Kind == RowColumnKind.Number)
                    {
                        RowType.SetNumber(engine.Row, c, column < 0 ? float.NaN : batch.NumberAt(column, r));
                    }
                    else
                    {
                        RowType.SetText(engine.Row, c, column < 0 ? null : batch.TextAt(column, r));
                    }
                }

                engine.Predict(into, r);
            }
        }
        finally
        {
            Return(engine);
        }
    }

    /// <summary>
    /// For each of the model's columns, the column of batches with these columns that holds it (-1
    /// when they have none). Batches of one schema share one column list: it is matched once.
    /// </summary>
    private int[] MapOf(IReadOnlyList<RowColumn> columns)
    {
        if (_map is { } known && ReferenceEquals(known.Columns, columns))
        {
            return known.Map;
        }

        var map = new int[RowType.Columns.Count];
        Array.Fill(map, -1);
        for (var i = 0; i < columns.Count; i++)
        {
            var index = RowType.IndexOf(columns[i].Name);
            if (index < 0)
            {
                var suggestion = Suggestions.Nearest(columns[i].Name, RowType.Columns.Select(c => c.Name));
                throw new ArgumentException(
                    $"'{columns[i].Name}' is not a feature of this model." + (suggestion is null ? " Remove it." : $" Did you mean '{suggestion}'?"), nameof(columns));
            }

            if (RowType.Columns[index].Kind != columns[i].Kind)
            {
                throw new ArgumentException($"'{columns[i].Name}' is held as {columns[i].Kind} in the batch, but the model takes {RowType.Columns[index].Kind}; check the rows against this model's bundle.", nameof(columns));
            }

            map[index] = i;
        }

        _map = new ColumnMap(columns, map);
        return map;
    }

    private PredictionArrays NewArrays(int count) => new(Kind, HasProbability, Classes, count);

    private static ScoringEngine CreateEngine<TRow, TOut>(MLContext context, ITransformer model, FeatureRowType rowType, Action<TOut, PredictionArrays, int> convert)
        where TRow : class
        where TOut : class, new() => new ScoringEngine<TRow, TOut>(context, model, rowType, convert);

    private static void Multiclass(MulticlassOutput output, IReadOnlyList<string> classes, PredictionArrays into, int row)
    {
        var probabilities = into.ClassProbabilities.AsSpan(row * classes.Count, classes.Count);
        for (var i = 0; i < classes.Count; i++)
        {
            probabilities[i] = i < output.Score.Length ? output.Score[i] : float.NaN;
        }

        var key = (int)output.PredictedLabel;
        into.Labels![row] = key >= 1 && key <= classes.Count ? classes[key - 1] : null;
        into.Scores[row] = key >= 1 && key <= output.Score.Length ? output.Score[key - 1] : float.NaN;
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

    /// <summary>Which batch column holds each model column, for batches with <see cref="Columns"/>.</summary>
    private sealed record ColumnMap(IReadOnlyList<RowColumn> Columns, int[] Map);
}
