using System.Globalization;
using BenchmarkDotNet.Attributes;
using Mlops.Pipeline.Tracking;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Runs;

namespace Mlops.Benchmarks;

/// <summary>
/// The UI's runs page (issue 15) rendered on the server from an in-memory catalog of 1,000 runs of one model, each
/// with 8 parameters and 8 overall holdout metrics plus 6 slice metrics: the table, the sort, the filter and the chart
/// with its figures. Target: under 100 ms.
/// </summary>
[MemoryDiagnoser]
public class RunsPageBenchmarks
{
    private readonly InMemoryCatalog _catalog = new(1000);
    private string _folder = "";
    private RunStore _store = null!;

    /// <summary>A real run store holding the same 1,000 runs, for what reading them costs the CLI's catalog.</summary>
    [GlobalSetup(Target = nameof(ReadFromRunStore))]
    public async Task SetupStore()
    {
        _folder = Directory.CreateTempSubdirectory("mlops-bench-runs").FullName;
        _store = await RunStore.OpenAsync(Path.Combine(_folder, "tracking.db"));
        foreach (var run in (await _catalog.RunsAsync(null, 1000, CancellationToken.None)).Reverse())
        {
            var id = await _store.StartRunAsync(new RunStart { Model = run.Model, Params = run.Params.ToDictionary(p => p.Key, p => p.Value), Seed = 42 });
            await _store.CompleteRunAsync(id, new RunCompletion { Metrics = [.. run.Metrics.Select(m => new RunMetric(m.Name, m.Value, m.Split, m.Slice))] });
        }
    }

    [GlobalCleanup(Target = nameof(ReadFromRunStore))]
    public async Task CleanupStore()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "1,000 runs, newest first")]
    public async Task<int> Default() => (await RenderAsync(RunsQuery.Default with { Model = "churn" })).Length;

    [Benchmark(Description = "1,000 runs, sorted by a metric, filtered")]
    public async Task<int> SortedAndFiltered() =>
        (await RenderAsync(new RunsQuery("churn", "trainer=lightgbm auc>0.8 status!=failed", "metrics.auc", true, "f1Score"))).Length;

    [Benchmark(Description = "reading 1,000 runs from the SQLite run store (RunStore.ListAsync)")]
    public async Task<int> ReadFromRunStore() => (await _store.ListAsync("churn", 1000)).Count;

    private async Task<string> RenderAsync(RunsQuery query) =>
        RunsPage.Render(query, await _catalog.RunsAsync(query.Model, 1000, CancellationToken.None), _catalog.Source);

    /// <summary>A catalog of generated runs; only the runs are needed here.</summary>
    private sealed class InMemoryCatalog : IRepositoryCatalog
    {
        private readonly IReadOnlyList<RunView> _runs;

        public InMemoryCatalog(int count)
        {
            var random = new Random(42);
            var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
            var trainers = new[] { "lbfgs", "lightgbm", "fasttree" };
            var metrics = new[] { "auc", "accuracy", "f1Score", "precision", "recall", "logLoss", "aupr", "p99LatencyMs" };
            _runs = [.. Enumerable.Range(0, count).Select(i => new RunView
            {
                Id = start.AddMinutes(i).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + i.ToString("x8", CultureInfo.InvariantCulture),
                Model = "churn",
                Status = i % 50 == 7 ? "failed" : "succeeded",
                StartedAt = start.AddMinutes(i),
                Duration = TimeSpan.FromSeconds(3 + random.NextDouble() * 20),
                Params =
                [
                    new("trainer", trainers[i % 3]),
                    new("trainer.learningRate", (0.01 + random.NextDouble() / 10).ToString("R", CultureInfo.InvariantCulture)),
                    new("trainer.numberOfLeaves", random.Next(4, 128).ToString(CultureInfo.InvariantCulture)),
                    new("trainer.numberOfTrees", random.Next(50, 500).ToString(CultureInfo.InvariantCulture)),
                    new("trainer.l2Regularization", random.NextDouble().ToString("R", CultureInfo.InvariantCulture)),
                    new("seed", "42"),
                    new("split.holdout", "0.2"),
                    new("split.seed", "42"),
                ],
                Metrics =
                [
                    .. metrics.Select(m => new RunMetricView(m, RunMetricView.Holdout, "", random.NextDouble(), m is not "logLoss" and not "p99LatencyMs")),
                    .. new[] { "Month-to-month", "One year", "Two year" }.SelectMany(c => new[]
                    {
                        new RunMetricView("auc", RunMetricView.Holdout, "contract=" + c, random.NextDouble(), true),
                        new RunMetricView("recall", RunMetricView.Holdout, "contract=" + c, random.NextDouble(), true),
                    }),
                ],
            }).Reverse()];
        }

        public string Source => "/repo";

        public Task<IReadOnlyList<RunView>> RunsAsync(string? model, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RunView>>([.. _runs.Where(r => model is null || r.Model == model).Take(limit)]);

        public Task<RunView?> RunAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_runs.FirstOrDefault(r => r.Id == id));

        public Task<RunComparisonView?> CompareAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) => throw new NotSupportedException("Only the runs page is measured.");

        public Task<IReadOnlyList<RegisteredModelView>> RegistryAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<RegisteredModelView>>([]);

        public Task<IReadOnlyList<string>> EnvironmentsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

        public Task<EnvironmentHistoryView?> HistoryAsync(string environment, CancellationToken cancellationToken) => Task.FromResult<EnvironmentHistoryView?>(null);
    }
}
