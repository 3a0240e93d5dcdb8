using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Hosting;

/// <summary>
/// <c>GET /metrics</c> over real HTTP on 127.0.0.1: requests to the real server are counted by model,
/// version, role and route, the gauges read the served state and <see cref="MonitoringGauges"/>, hosts
/// in one process keep their own series, and <c>promtool check metrics</c> accepts the real output.
/// </summary>
public sealed partial class MetricsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterRequests_CountsEachByModelVersionRoleAndRoute()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1, extra: $"    canary: {{ version: 2, digest: {TestModels.Put(store, 2)}, weight: 50 }}\n"));
        string[] ids = ["a", "b", "c", "d", "e", "f"];
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody(id), Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/models/churn/predict", TestModels.Row(), Ct)).StatusCode);

        var metrics = await server.ScrapeAsync();
        var canary = ids.Count(id => TrafficRouter.TakesCanary(id, 50));
        Assert.InRange(canary, 1, ids.Length - 1); // the ids take both paths, so both series are checked
        Assert.Equal(ids.Length - canary, metrics.Value("mlops_requests_total", ("model", "churn"), ("version", "1"), ("role", "primary"), ("route", "v2")));
        Assert.Equal(canary, metrics.Value("mlops_requests_total", ("model", "churn"), ("version", "2"), ("role", "canary"), ("route", "v2")));
        Assert.Equal(1, metrics.Sum("mlops_requests_total", ("route", "predict")));
        Assert.Equal(ids.Length + 1, metrics.Sum("mlops_request_duration_seconds_count"));
        Assert.Equal(ids.Length - canary, metrics.Value("mlops_request_duration_seconds_bucket", ("model", "churn"), ("version", "1"), ("route", "v2"), ("le", "1")));
        Assert.Equal(0, metrics.Sum("mlops_request_errors_total"));
        Assert.True(server.Services.GetRequiredService<MlopsMetrics>().IsRecording);
    }

    [Fact]
    public async Task Metrics_ServedState_ExportsCanaryWeightTrainingMetricsAndReconcileStatus()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1, extra: $"    canary: {{ version: 2, digest: {TestModels.Put(store, 2)}, weight: 25 }}\n"));

        var metrics = await server.ScrapeAsync();

        Assert.Equal(0.25, metrics.Value("mlops_canary_weight_ratio", ("model", "churn")));
        Assert.Equal(0.8, metrics.Value("mlops_training_metric", ("model", "churn"), ("version", "1"), ("metric", "auc")));
        Assert.Equal(0.8, metrics.Value("mlops_training_metric", ("model", "churn"), ("version", "2"), ("metric", "auc")));
        Assert.Equal(1, metrics.Value("mlops_reconcile_status", ("environment", "staging"), ("sync", "Synced"), ("health", "Healthy")));
        Assert.Equal(1, metrics.Sum("mlops_reconcile_status"));
        Assert.Equal(6, metrics.Samples("mlops_reconcile_status").Count);
        Assert.Equal(2, metrics.Value("mlops_store_cache_misses_total"));
        Assert.Equal(0, metrics.Value("mlops_store_cache_hits_total"));
        Assert.Contains(metrics.Names, n => n == "process_cpu_seconds_total");
    }

    [Fact]
    public async Task Metrics_RequestsThatFail_CountedByKindAndAsRequestsWithoutVersion()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1));

        var bad = await server.Http.PostAsJsonAsync("/v2/models/churn/infer", new { inputs = Array.Empty<object>() }, Ct);
        var missingVersion = await server.Http.PostAsJsonAsync("/v2/models/churn/versions/7/infer", InferBody("x"), Ct);
        var invalidRow = await server.Http.PostAsJsonAsync("/models/churn/predict", new { tenure = "soon" }, Ct);
        var unknownModel = await server.Http.PostAsJsonAsync("/v2/models/made-up/infer", InferBody("x"), Ct);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.NotFound],
            [bad.StatusCode, missingVersion.StatusCode, invalidRow.StatusCode, unknownModel.StatusCode]);
        var metrics = await server.ScrapeAsync();
        Assert.Equal(2, metrics.Value("mlops_request_errors_total", ("model", "churn"), ("route", "v2"), ("kind", "bad_request")));
        Assert.Equal(1, metrics.Value("mlops_request_errors_total", ("model", "churn"), ("route", "predict"), ("kind", "bad_request")));
        Assert.Equal(2, metrics.Value("mlops_requests_total", ("model", "churn"), ("version", ""), ("role", ""), ("route", "v2")));
        Assert.Equal(0, metrics.Sum("mlops_request_duration_seconds_count"));
        Assert.DoesNotContain("made-up", metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ModelSwitchedOff_CountsFallbackUse()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1, extra: "    enabled: false\n    fallback: { constant: { prediction: false, probability: 0.1 } }\n"));

        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody("x"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/models/churn/predict", TestModels.Row(), Ct)).StatusCode);

        var metrics = await server.ScrapeAsync();
        Assert.Equal(2, metrics.Value("mlops_fallback_total", ("model", "churn")));
        Assert.Equal(1, metrics.Value("mlops_requests_total", ("model", "churn"), ("version", "0"), ("role", "fallback"), ("route", "predict")));
    }

    [Fact]
    public async Task MonitoringGauges_ValuesSet_AppearAtTheNextScrapeAndRemovedOnesDisappear()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1));
        var gauges = server.Services.GetRequiredService<MlopsMetrics>().Monitoring;

        SetExampleFigures(gauges);
        gauges.AddPredictionLogWritten(2);
        var metrics = await server.ScrapeAsync();

        Assert.Equal(0.31, metrics.Value("mlops_feature_drift_score", ("model", "churn"), ("version", "1"), ("feature", "tenure"), ("method", "ks")));
        Assert.Equal(1, metrics.Value("mlops_feature_drifted", ("model", "churn"), ("version", "1"), ("feature", "tenure")));
        Assert.Equal(0, metrics.Value("mlops_feature_drifted", ("model", "churn"), ("version", "1"), ("feature", "contract")));
        Assert.Equal(1, metrics.Value("mlops_dataset_drifted", ("model", "churn"), ("version", "1")));
        Assert.Equal(0.33, metrics.Value("mlops_feature_null_ratio", ("model", "churn"), ("version", "1"), ("feature", "total_charges")));
        Assert.Equal(0.71, metrics.Value("mlops_live_metric", ("model", "churn"), ("version", "1"), ("metric", "auc")));
        Assert.Equal(1, metrics.Value("mlops_alert_firing", ("model", "churn"), ("rule", "drift")));
        Assert.Equal(42, metrics.Value("mlops_prediction_log_written_total"));
        Assert.Equal(3, metrics.Value("mlops_prediction_log_dropped_total"));

        gauges.SetFeatureDrift("churn", 1, "tenure", "wasserstein", 0.05, drifted: false);
        gauges.RemoveAlert("churn", "drift");
        gauges.RemoveFeature("churn", 1, "contract");
        metrics = await server.ScrapeAsync();

        Assert.Equal(0.05, metrics.Value("mlops_feature_drift_score", ("model", "churn"), ("version", "1"), ("feature", "tenure"), ("method", "wasserstein")));
        Assert.Null(metrics.Find("mlops_feature_drift_score", ("feature", "tenure"), ("method", "ks")));
        Assert.Null(metrics.Find("mlops_feature_drifted", ("feature", "contract")));
        Assert.Empty(metrics.Samples("mlops_alert_firing"));

        gauges.RemoveVersion("churn", 1);
        metrics = await server.ScrapeAsync();
        Assert.Empty(metrics.Samples("mlops_feature_drift_score"));
        Assert.Empty(metrics.Samples("mlops_feature_null_ratio"));
        Assert.Empty(metrics.Samples("mlops_live_metric"));
        Assert.Empty(metrics.Samples("mlops_dataset_drifted"));
    }

    [Fact]
    public void MonitoringGauges_BadValues_AreRefusedWithTheReason()
    {
        var gauges = new MonitoringGauges();

        var ratio = Assert.Throws<ArgumentOutOfRangeException>(() => gauges.SetNullRatio("churn", 1, "tenure", 1.5));
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => gauges.AddPredictionLogDropped(-1));

        Assert.Contains("a null ratio is a share from 0 to 1; tenure got 1.5", ratio.Message, StringComparison.Ordinal);
        Assert.Contains("a counter only grows", count.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_TwoHostsInOneProcess_EachCountsOnlyItsOwnRequests()
    {
        await using var first = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1));
        await using var second = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1));

        for (var i = 0; i < 3; i++)
        {
            await first.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody("x"), Ct);
        }

        await second.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody("x"), Ct);
        first.Services.GetRequiredService<MlopsMetrics>().Monitoring.SetAlertFiring("churn", "drift", firing: true);

        var one = await first.ScrapeAsync();
        var two = await second.ScrapeAsync();
        Assert.Equal(3, one.Sum("mlops_requests_total"));
        Assert.Equal(1, two.Sum("mlops_requests_total"));
        Assert.Empty(two.Samples("mlops_alert_firing"));
    }

    [Fact]
    public async Task Metrics_RestartWithTheSameCache_CountsACacheHit()
    {
        using var repository = TestModels.Repository();
        using var storeFolder = new TempDirectory("mlops-metrics-store");
        TestModels.WriteEnvironment(repository, TestModels.Pin(TestModels.Put(new LocalFolderStore(storeFolder.Path), 1), 1));
        await using (var first = await LoopbackServer.StartAsync(repository, storeFolder))
        {
            Assert.Equal(1, (await first.ScrapeAsync()).Value("mlops_store_cache_misses_total"));
        }

        await using var second = await LoopbackServer.StartAsync(repository, storeFolder);
        var metrics = await second.ScrapeAsync();

        Assert.Equal(1, metrics.Value("mlops_store_cache_hits_total"));
        Assert.Equal(0, metrics.Value("mlops_store_cache_misses_total"));
    }

    [Fact]
    public async Task Metrics_Disabled_MetricsIsNotServedAndRequestsStillAnswer()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1), o => o.Metrics.Enabled = false);

        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody("x"), Ct)).StatusCode);
        using var metrics = await server.Http.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
        Assert.Contains("Mlops:Metrics:Enabled is false", await metrics.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(server.Services.GetRequiredService<MlopsMetrics>().IsRecording);
    }

    [Fact]
    public async Task Metrics_RealOutput_PassesPromtoolCheckMetrics()
    {
        await using var server = await LoopbackServer.StartAsync(store => TestModels.Pin(TestModels.Put(store, 1), 1, extra: $"    canary: {{ version: 2, digest: {TestModels.Put(store, 2)}, weight: 10 }}\n"));
        await server.Http.PostAsJsonAsync("/v2/models/churn/infer", InferBody("x"), Ct);
        await server.Http.PostAsJsonAsync("/v2/models/churn/infer", new { inputs = Array.Empty<object>() }, Ct);
        await server.Http.PostAsJsonAsync("/models/churn/predict", TestModels.Row(), Ct);
        var gauges = server.Services.GetRequiredService<MlopsMetrics>().Monitoring;
        SetExampleFigures(gauges);
        gauges.SetLiveMetric("churn", 1, "log_loss", 0.5);
        gauges.SetAlertFiring("churn", "nullRate > 0.2", firing: true);
        var text = (await server.ScrapeAsync()).Text;

        var (exit, output) = await PromtoolAsync(text);

        Assert.True(exit == 0, $"promtool check metrics exited {exit}:\n{output}\n--- the output checked:\n{text}");
        Assert.Equal("", output.Trim());
    }

    [Fact]
    public void Definitions_EverySeries_IsDocumentedInMonitoringMd()
    {
        var docs = File.ReadAllText(RepositoryRoot.Combine("docs", "monitoring.md"));

        var missing = MlopsMetrics.Definitions.Where(d => !docs.Contains($"`{d.Name}`", StringComparison.Ordinal)).Select(d => d.Name).ToList();

        Assert.Empty(missing);
        Assert.All(MlopsMetrics.Definitions, d => Assert.Equal(d.Kind == MetricKind.Counter, d.Name.EndsWith("_total", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("auc", "auc")]
    [InlineData("logLoss", "log_loss")]
    [InlineData("prAuc", "pr_auc")]
    [InlineData("microAccuracy", "micro_accuracy")]
    public void SnakeCase_BundleMetricName_MatchesTheLiveMetricSpelling(string bundle, string label) =>
        Assert.Equal(label, MlopsMetrics.SnakeCase(bundle));

    /// <summary>One figure of every kind the monitor sets.</summary>
    private static void SetExampleFigures(MonitoringGauges gauges)
    {
        gauges.SetFeatureDrift("churn", 1, "tenure", "ks", 0.31, drifted: true);
        gauges.SetFeatureDrift("churn", 1, "contract", "chisquare", 2.5, drifted: false);
        gauges.SetDatasetDrifted("churn", 1, drifted: true);
        gauges.SetNullRatio("churn", 1, "total_charges", 0.33);
        gauges.SetLiveMetric("churn", 1, "auc", 0.71);
        gauges.SetAlertFiring("churn", "drift", firing: true);
        gauges.AddPredictionLogWritten(40);
        gauges.AddPredictionLogDropped(3);
    }

    private static object InferBody(string id) => new
    {
        id,
        inputs = new object[]
        {
            new { name = "tenure", shape = new[] { 1 }, datatype = "FP32", data = new[] { 12f } },
            new { name = "contract", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "One year" } },
            new { name = "total_charges", shape = new[] { 1 }, datatype = "FP32", data = new[] { 700f } },
        },
    };

    /// <summary>Runs <c>promtool check metrics</c> on the text; fails (under CI=true) or skips when promtool is missing.</summary>
    private static async Task<(int ExitCode, string Output)> PromtoolAsync(string text)
    {
        var available = await Promtool.IsAvailableAsync(Ct);
        Assert.False(!available && Promtool.Required, Promtool.Missing);
        Assert.SkipUnless(available, Promtool.Missing);
        return await Promtool.RunAsync(text, Ct, "check", "metrics");
    }

    /// <summary>The real server on 127.0.0.1 and a port the system picks, with its own repository and store.</summary>
    private sealed class LoopbackServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly IDisposable[] _owned;

        private LoopbackServer(WebApplication app, HttpClient http, IDisposable[] owned)
        {
            _app = app;
            Http = http;
            _owned = owned;
        }

        public HttpClient Http { get; }

        public IServiceProvider Services => _app.Services;

        /// <summary>Starts a server on a new repository whose staging environment is <paramref name="pins"/> (given the store to put bundles in).</summary>
        public static async Task<LoopbackServer> StartAsync(Func<LocalFolderStore, string> pins, Action<ServeOptions>? configure = null)
        {
            var repository = TestModels.Repository();
            var storeFolder = new TempDirectory("mlops-metrics-store");
            TestModels.WriteEnvironment(repository, pins(new LocalFolderStore(storeFolder.Path)));
            return await StartAsync(repository, storeFolder, configure, [repository, storeFolder]);
        }

        /// <summary>Starts a server on an existing repository and store (the caller disposes them).</summary>
        public static Task<LoopbackServer> StartAsync(TempDirectory repository, TempDirectory storeFolder) => StartAsync(repository, storeFolder, null, []);

        private static async Task<LoopbackServer> StartAsync(TempDirectory repository, TempDirectory storeFolder, Action<ServeOptions>? configure, IDisposable[] owned)
        {
            var app = MlopsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
            {
                o.Repo = repository.Path;
                o.Store = storeFolder.Path;
                o.CacheFolder = Path.Combine(repository.Path, ".cache");
                configure?.Invoke(o);
            });
            await app.StartAsync(Ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var http = new HttpClient { BaseAddress = new Uri(address) };
            ServerFixture.WaitReady(http);
            return new LoopbackServer(app, http, owned);
        }

        public async Task<Scrape> ScrapeAsync()
        {
            using var response = await Http.GetAsync("/metrics", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            return new Scrape(await response.Content.ReadAsStringAsync(Ct));
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }
        }
    }

    /// <summary>One scrape in Prometheus' text format, parsed into samples.</summary>
    private sealed partial class Scrape(string text)
    {
        public string Text { get; } = text;

        public IReadOnlyList<(string Name, Dictionary<string, string> Labels, double Value)> All { get; } = Parse(text);

        public IEnumerable<string> Names => All.Select(s => s.Name).Distinct();

        public List<(string Name, Dictionary<string, string> Labels, double Value)> Samples(string name, params (string Key, string Value)[] labels) =>
            [.. All.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))];

        public double? Find(string name, params (string Key, string Value)[] labels) =>
            Samples(name, labels) is [var one] ? one.Value : null;

        /// <summary>The one sample with exactly these labels (others may exist); fails naming what was there.</summary>
        public double Value(string name, params (string Key, string Value)[] labels)
        {
            var matches = Samples(name, labels).Where(s => s.Labels.Count == labels.Length).ToList();
            Assert.True(matches.Count == 1, $"expected one sample {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}, found {matches.Count}; the scrape:\n{Text}");
            return matches[0].Value;
        }

        public double Sum(string name, params (string Key, string Value)[] labels) => Samples(name, labels).Sum(s => s.Value);

        private static List<(string, Dictionary<string, string>, double)> Parse(string text)
        {
            var samples = new List<(string, Dictionary<string, string>, double)>();
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var match = SampleLine().Match(line);
                Assert.True(match.Success, $"not a sample line: {line}");
                var labels = LabelPair().Matches(match.Groups["labels"].Value)
                    .ToDictionary(m => m.Groups[1].Value, m => Regex.Unescape(m.Groups[2].Value), StringComparer.Ordinal);
                samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }

            return samples;
        }

        [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \S+)?$")]
        private static partial Regex SampleLine();

        [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
        private static partial Regex LabelPair();
    }
}
