using BenchmarkDotNet.Attributes;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Benchmarks;

/// <summary>
/// Dynamic batching on and off: <see cref="Callers"/> concurrent callers each send single checked rows
/// through <see cref="TrafficRouter.ScoreAsync"/> one after another, 2,048 rows in all; the figure is
/// the time per row (the inverse of throughput). Two models: the example churn model (ML.NET, 19
/// features) and a tiny ONNX graph (3 features), whose per-call cost batching can share.
/// </summary>
[MemoryDiagnoser]
public class BatchingBenchmarks
{
    private const int TotalRows = 2048;
    private static readonly string[] s_onnxFeatures = ["tenure", "contract", "total_charges"];

    private ServingSetup _setup = null!;
    private ServedModel _served = null!;
    private FeatureBatch[] _rows = [];
    private readonly TrafficRouter _router = new();

    /// <summary>Which model scores.</summary>
    [Params("churn (ML.NET)", "tiny (ONNX)")]
    public string Model { get; set; } = "";

    /// <summary>Off, or on with its delay and number of concurrent batches.</summary>
    [Params("off", "on, 0 ms, 1 batch", "on, 0 ms, 2 batches", "on, 1 ms, 2 batches")]
    public string Batching { get; set; } = "";

    /// <summary>How many callers send rows at the same time.</summary>
    [Params(1, 8, 64)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _setup = ServingSetup.Create();
        IScorer scorer;
        InputSchema schema;
        if (Model.Contains("ONNX", StringComparison.Ordinal))
        {
            scorer = OnnxScorer.Load(File.ReadAllBytes(ServingSetup.RepositoryFile("tests/Mlops.Runtime.Tests/Scoring/Onnx/churn-linear.onnx")), s_onnxFeatures, Mlops.Declarations.Models.ModelTask.BinaryClassification);
            schema = new InputSchema([.. _setup.FeatureSet.Features.Where(f => s_onnxFeatures.Contains(f.Name)).Select(Mlops.Runtime.Bundles.BundleInput.For)]);
            var problems = new List<string>();
            _rows = [.. _setup.RequestRows.Take(TotalRows).Select(r => schema.CheckRows([r.Where(p => s_onnxFeatures.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)], problems))];
        }
        else
        {
            scorer = _setup.Scorer;
            schema = _setup.Schema;
            _rows = [.. _setup.CleanRows.Take(TotalRows)];
        }

        BatchingOptions? options = Batching switch
        {
            "off" => null,
            "on, 0 ms, 1 batch" => new BatchingOptions { Enabled = true, MaxDelay = TimeSpan.Zero, ConcurrentBatches = 1 },
            "on, 0 ms, 2 batches" => new BatchingOptions { Enabled = true, MaxDelay = TimeSpan.Zero, ConcurrentBatches = 2 },
            _ => new BatchingOptions { Enabled = true, MaxDelay = TimeSpan.FromMilliseconds(1), ConcurrentBatches = 2 },
        };
        _served = ServingSetup.Serve(scorer, schema, options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _served.Primary!.Batcher?.Dispose();
        _setup.Dispose();
    }

    [Benchmark(OperationsPerInvoke = TotalRows, Description = "time per row")]
    public async Task<float> Score()
    {
        var perCaller = TotalRows / Callers;
        var callers = new Task<float>[Callers];
        for (var c = 0; c < callers.Length; c++)
        {
            var first = c * perCaller;
            callers[c] = Task.Run(async () =>
            {
                var sum = 0f;
                for (var i = first; i < first + perCaller; i++)
                {
                    sum += (await _router.ScoreAsync(_served, _rows[i], "request").ConfigureAwait(false)).Predictions.Scores[0];
                }

                return sum;
            });
        }

        return (await Task.WhenAll(callers).ConfigureAwait(false)).Sum();
    }
}
