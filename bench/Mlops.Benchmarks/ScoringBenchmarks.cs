using BenchmarkDotNet.Attributes;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Benchmarks;

/// <summary>
/// In-process scoring of the example churn model, per row, over the same 10,000 rows: a raw
/// PredictionEngine loop (the baseline), the runtime's single-row path as the server runs it (check
/// the row against the input schema, route, score through IScorer), the scorer alone, and one batch
/// of 10,000 rows, given as rows and given by column.
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private ServingSetup _setup = null!;
    private Func<float> _raw = null!;
    private Func<float> _rawBatch = null!;
    private ServedModel _served = null!;
    private TrafficRouter _router = null!;
    private readonly List<string> _problems = [];
    private FeatureBatch _checkedColumns = null!;

    [GlobalSetup]
    public void Setup()
    {
        _setup = ServingSetup.Create();
        _raw = _setup.RawPredictionEngineLoop();
        _rawBatch = _setup.RawDataViewBatch();
        _served = ServingSetup.Serve(_setup.Scorer, _setup.Schema, batching: null);
        _router = new TrafficRouter();
        _checkedColumns = _setup.Schema.CheckColumns(_setup.RequestColumns, _problems, out _);
        _setup.Schema.CheckColumns(_setup.EncodedColumns, _problems, out _);
        if (_problems.Count > 0)
        {
            throw new InvalidOperationException("the example's columns do not fit its own model: " + string.Join(" ", _problems.Take(5)));
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _setup.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = ServingSetup.Rows, Description = "raw PredictionEngine.Predict loop (typed rows)")]
    public float RawPredictionEngine() => _raw();

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "raw ML.NET IDataView transform of 10,000 typed rows")]
    public float RawDataView() => _rawBatch();

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "runtime single row: check + route + IScorer")]
    public float RuntimeSingleRow()
    {
        var sum = 0f;
        foreach (var request in _setup.SingleRowRequests)
        {
            var clean = _setup.Schema.CheckColumns(request, _problems, out var key);
            sum += _router.ScoreAsync(_served, clean, key ?? "request").Result.Predictions.Scores[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "runtime single row by name: CheckRows + route + IScorer")]
    public float RuntimeSingleRowByName()
    {
        var sum = 0f;
        var one = new IEnumerable<KeyValuePair<string, object?>>[1];
        foreach (var row in _setup.RequestRows)
        {
            one[0] = row;
            var clean = _setup.Schema.CheckRows(one, _problems);
            sum += _router.ScoreAsync(_served, clean, "request").Result.Predictions.Scores[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "IScorer.Score alone (checked single rows)")]
    public float ScorerSingleRow()
    {
        var sum = 0f;
        foreach (var row in _setup.CleanRows)
        {
            sum += _setup.Scorer.Score(row).Scores[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "InputSchema.CheckColumns alone (single rows)")]
    public int CheckOnly()
    {
        var count = 0;
        foreach (var request in _setup.SingleRowRequests)
        {
            count += _setup.Schema.CheckColumns(request, _problems, out _).RowCount;
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "runtime batch of 10,000 given as rows: CheckRows + one IScorer.Score")]
    public int RuntimeBatch() => _setup.Scorer.Score(_setup.Schema.CheckRows(_setup.RequestRows, _problems)).Count;

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "runtime batch of 10,000 by column: CheckColumns + IScorer.Score")]
    public int RuntimeColumnBatch()
    {
        var batch = _setup.Schema.CheckColumns(_setup.RequestColumns, _problems, out _);
        return _setup.Scorer.Score(batch).Count;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "runtime batch of 10,000 by column, categories dictionary-encoded")]
    public int RuntimeEncodedBatch()
    {
        var batch = _setup.Schema.CheckColumns(_setup.EncodedColumns, _problems, out _);
        return _setup.Scorer.Score(batch).Count;
    }

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "InputSchema.CheckColumns alone (10,000 rows)")]
    public int CheckColumnsOnly() => _setup.Schema.CheckColumns(_setup.RequestColumns, _problems, out _).RowCount;

    [Benchmark(OperationsPerInvoke = ServingSetup.Rows, Description = "IScorer.Score alone (10,000 checked rows by column)")]
    public int ScoreColumnsOnly() => _setup.Scorer.Score(_checkedColumns).Count;
}
