using BenchmarkDotNet.Attributes;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Server.Ui.Pages;

namespace Mlops.Benchmarks;

/// <summary>
/// The model page (issue 15) of a version with 20 features (10 numbers, 10 categories) and a full
/// history: 24 closed hourly windows and the open one, 2,000 rows each, against a reference of
/// 10,000 rows. <see cref="Render"/> writes the page from figures already read;
/// <see cref="HistoryAndRender"/> is what a request does: the monitor's history (the closed windows'
/// drift is cached after the first request, the open window's judged again) and the page.
/// </summary>
[MemoryDiagnoser]
public class ModelPageBenchmarks
{
    private const int Numbers = 10;
    private const int Categories = 10;
    private const int RowsPerWindow = 2_000;
    private const int ReferenceRows = 10_000;
    private static readonly string[] s_values = ["alpha", "beta", "gamma", "delta", "epsilon"];

    private LiveMonitor _monitor = null!;
    private LoadedModel _model = null!;
    private ModelPageInput _input = null!;

    [GlobalSetup]
    public void Setup()
    {
        var inputs = Enumerable.Range(0, Numbers).Select(i => new BundleInput($"number_{i}", FeatureType.Float, true, []))
            .Concat(Enumerable.Range(0, Categories).Select(i => new BundleInput($"category_{i}", FeatureType.Category, true, s_values)))
            .ToList();
        var schema = new InputSchema(inputs);
        var random = new Random(5);
        var probabilities = Enumerable.Range(0, ReferenceRows).Select(_ => random.NextDouble()).ToList();
        var manifest = new BundleManifest(BundleManifest.CurrentFormat, "churn", ModelTask.BinaryClassification, "model.zip", ModelFormat.MlNet, "sha256:" + new string('a', 64),
            new BundleFeatureSet("customer", 1, "sha256:" + new string('b', 64)), inputs, new BundleLabel("churn", "Yes"),
            new BundleTrainer("lbfgs", 42, new Dictionary<string, string>()), new BundleLineage("sha256:" + new string('c', 64), "", "5.0.1"),
            new BundleMetrics(new Dictionary<string, double> { ["auc"] = 0.84, ["accuracy"] = 0.8 }, new Dictionary<string, IReadOnlyDictionary<string, double>>()));
        _model = new LoadedModel("churn", 1, "sha256:" + new string('d', 64), manifest, null!, schema)
        {
            Reference =
            [
                .. Enumerable.Range(0, Numbers).Select(i => (ColumnValues)NumberValues.From($"number_{i}", [.. Enumerable.Range(0, ReferenceRows).Select(_ => random.NextDouble() * 100)])),
                .. Enumerable.Range(0, Categories).Select(i => (ColumnValues)new CategoryCounts($"category_{i}", s_values.ToDictionary(v => v, _ => (long)(ReferenceRows / s_values.Length)), 0)),
            ],
            Profile = new ReferenceProfile(ReferenceRows, [],
            [
                ProfileBuilder.Numeric("probability", probabilities),
                ProfileBuilder.Categorical("predictedLabel", probabilities.Select(p => p >= 0.5 ? "true" : "false"), ["false", "true"]),
            ]),
        };

        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 0, 30, 0, TimeSpan.Zero));
        _monitor = new LiveMonitor(new MonitoringSpec(TimeSpan.FromHours(1), new DriftSpec("auto", 0.1, 0.5), []), clock);
        for (var hour = 0; hour <= 24; hour++)
        {
            // Later windows drift a little more each hour, so the strip has both states.
            var shift = hour * 2.0;
            var rows = Enumerable.Range(0, RowsPerWindow).Select(r => (IEnumerable<KeyValuePair<string, object?>>)Row(random, shift, r)).ToList();
            var problems = new List<string>();
            var batch = schema.CheckRows(rows, problems);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
            }

            var p = Enumerable.Range(0, RowsPerWindow).Select(_ => (float)random.NextDouble()).ToArray();
            _monitor.Record(_model, "primary", batch, new BatchPredictions(p, p, [.. p.Select(v => v >= 0.5f)], null, null, []), clock.Now);
            _monitor.RecordRequest(_model, "primary", TimeSpan.FromMilliseconds(2), failed: false, clock.Now);
            if (hour < 24)
            {
                clock.Now += TimeSpan.FromHours(1);
            }
        }

        _input = Input();
        if (_input.History!.Windows.Count != 25)
        {
            throw new InvalidOperationException($"{_input.History.Windows.Count} windows, not 25.");
        }
    }

    /// <summary>The page from figures already read.</summary>
    [Benchmark(Description = "render (25 windows x 20 features)")]
    public string Render() => ModelPage.Render(_input);

    /// <summary>A request's work: the monitor's history with drift, then the page.</summary>
    [Benchmark(Description = "history + render")]
    public string HistoryAndRender() => ModelPage.Render(Input());

    private ModelPageInput Input() =>
        ModelPageInput.Of(_model, "primary", "Predicts whether a customer leaves within the month.", _monitor.History("churn", 1, "primary"), null, [new ServedVersion(1, "primary")]);

    private static Dictionary<string, object?> Row(Random random, double shift, int row)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < Numbers; i++)
        {
            values[$"number_{i}"] = row % 50 == 0 ? null : (random.NextDouble() * 100) + (i < 3 ? shift : 0);
        }

        for (var i = 0; i < Categories; i++)
        {
            values[$"category_{i}"] = s_values[(row + i) % s_values.Length];
        }

        return values;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
