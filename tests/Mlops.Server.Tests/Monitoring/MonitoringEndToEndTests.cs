using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Mlops.Server.Tests.Standalone;
using Mlops.Testing;

namespace Mlops.Server.Tests.Monitoring;

/// <summary>
/// The production monitor end to end, through the standalone server as a container runs it and the
/// real CLI: traffic like the training data raises nothing; a drifted stream fires the drift alert
/// within one window, naming its features, on /monitoring, /metrics and a webhook listener on
/// loopback, and <c>mlops monitor check</c> asks for retraining; clean traffic resolves it. A canary
/// of a model that learned nothing fails its analysis on live feedback and the check says abort.
/// </summary>
public sealed class MonitoringEndToEndTests(MonitoringFixture example) : IClassFixture<MonitoringFixture>, IAsyncDisposable
{
    // Short windows so that each phase of the test has one of its own.
    internal const int WindowSeconds = 10;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly string s_cli = typeof(MonitoringEndToEndTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MlopsCliPath").Value!;
    private readonly TempDirectory _log = new("mlops-monitoring-log");
    private StandaloneServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _log.Dispose();
    }

    [Fact]
    public async Task DriftedStream_FiresTheDriftAlertWithinOneWindow_NamingTheFeatures_AndCleanTrafficResolvesIt()
    {
        using var hook = new WebhookListener();
        var monitoring = $$"""
              window: {{WindowSeconds}}s
              drift: { method: auto, threshold: 0.1, driftShare: 0.15 }
              alerts:
                - { when: drift, notify: "{{hook.Url}}", runbook: docs/runbooks/churn.md }
            """;
        using var client = await ServeAsync(example.Environment(monitoring));
        var clean = example.Rows.Take(1_500).Select(r => r.Features).ToList();

        // Clean traffic: rows of the training data.
        await NextWindowAsync();
        await PredictAsync(client, clean);
        var quiet = await MonitoringAsync(client);
        var primary = quiet.GetProperty("models")[0].GetProperty("versions")[0];
        Assert.False(primary.GetProperty("drifted").GetBoolean(), Drifted(primary));
        Assert.Equal(0, quiet.GetProperty("alerts").GetArrayLength());

        // The drifted stream in the next window: monthly charges up 30 %, contracts skewed to
        // month-to-month, total charges empty in a third of the rows.
        await NextWindowAsync();
        var drifted = clean.Select((row, i) => new Dictionary<string, object?>(row)
        {
            ["monthly_charges"] = (double)row["monthly_charges"]! * 1.3,
            ["contract"] = i % 10 == 0 ? row["contract"] : "Month-to-month",
            ["total_charges"] = i % 3 == 0 ? null : row["total_charges"],
        }).ToList();
        await PredictAsync(client, drifted);
        var report = await MonitoringAsync(client);
        primary = report.GetProperty("models")[0].GetProperty("versions")[0];
        Assert.True(primary.GetProperty("drifted").GetBoolean());
        Assert.Equal(["contract", "monthly_charges", "total_charges"], DriftedFeatures(primary));
        var alert = Assert.Single(report.GetProperty("alerts").EnumerateArray());
        Assert.Equal(("drift", "firing"), (alert.GetProperty("rule").GetString(), alert.GetProperty("state").GetString()));
        var message = alert.GetProperty("message").GetString()!;
        Assert.Contains("drifted: contract, monthly_charges, total_charges", message, StringComparison.Ordinal);
        Assert.Contains("mlops rollback staging", message, StringComparison.Ordinal);
        Assert.Contains("docs/runbooks/churn.md", message, StringComparison.Ordinal);

        var firing = await hook.WaitForAsync(1, s_wait);
        Assert.Equal("firing", firing[0].GetProperty("status").GetString());
        var metrics = await client.GetStringAsync("/metrics", Ct);
        foreach (var feature in new[] { "monthly_charges", "contract", "total_charges" })
        {
            Assert.Contains($"mlops_feature_drifted{{model=\"churn\",version=\"1\",feature=\"{feature}\"}} 1", metrics, StringComparison.Ordinal);
        }

        Assert.Contains("mlops_dataset_drifted{model=\"churn\",version=\"1\"} 1", metrics, StringComparison.Ordinal);
        var check = await MonitorCheckAsync(client, "--json");
        Assert.True(check.Exit == 1, check.Output);
        var retrain = Assert.Single(JsonDocument.Parse(check.Output).RootElement.GetProperty("retrain").EnumerateArray());
        Assert.Equal(("churn", "drift"), (retrain.GetProperty("model").GetString(), retrain.GetProperty("rule").GetString()));

        // Clean traffic in the next window resolves it: one resolved message, and no second firing one.
        await NextWindowAsync();
        await PredictAsync(client, clean);
        var calm = await MonitoringAsync(client);
        Assert.Equal("resolved", Assert.Single(calm.GetProperty("alerts").EnumerateArray()).GetProperty("state").GetString());
        var messages = await hook.WaitForAsync(2, s_wait);
        Assert.Equal(["firing", "resolved"], messages.Select(m => m.GetProperty("status").GetString()));
        Assert.Equal(0, (await MonitorCheckAsync(client)).Exit);
    }

    [Fact]
    public async Task WeakCanary_FailsItsAnalysisOnLiveFeedback_AndTheCheckSaysAbortWithTheCommand()
    {
        var monitoring = $"""
              window: 1h
            """;
        var environment = example.Environment(monitoring, canary: example.Weak, weight: 50)
            .Replace($"canary: {{ version: 2, digest: {example.Weak}, weight: 50 }}", $"canary:\n      version: 2\n      digest: {example.Weak}\n      weight: 50\n      analysis:\n        - {{ metric: requests, threshold: 100 }}\n        - {{ metric: auc, minAbsoluteChange: -0.05, baseline: primary }}", StringComparison.Ordinal);
        using var client = await ServeAsync(environment);

        // One row per request, so the canary's weight splits the rows; then the true labels as feedback.
        var feedback = new List<object>();
        foreach (var (features, churned) in example.Rows.Take(800))
        {
            using var response = await client.PostAsJsonAsync("/models/churn/predict", features, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            feedback.Add(new { id = answer.GetProperty("predictionId").GetString(), label = churned });
        }

        using (var sent = await client.PostAsJsonAsync("/feedback", new { feedback }, Ct))
        {
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync(Ct));
        }

        var check = await MonitorCheckAsync(client);

        Assert.True(check.Exit == 1, check.Output);
        Assert.Contains("canary churn v2 against primary v1: abort", check.Output, StringComparison.Ordinal);
        Assert.Contains("failing      auc change vs primary >= -0.05", check.Output, StringComparison.Ordinal);
        Assert.Contains("run: mlops promote churn --to staging --abort", check.Output, StringComparison.Ordinal);
    }

    private async Task<HttpClient> ServeAsync(string environment)
    {
        example.Repository.Write("environments/staging.yaml", environment);
        Git.CommitAll(example.Repository.Path, "Serve for the monitoring test");
        _server = await StandaloneServer.StartAsync(
            [
                "--Mlops:Environment=staging",
                $"--Mlops:Repo={example.Repository.Path}",
                $"--Mlops:Store={example.StoreFolder.Path}",
                $"--Mlops:CacheFolder={_log.Combine("cache")}",
                $"--Mlops:PredictionLog:Folder={_log.Combine("predictions")}",
                "--Mlops:MonitorEvaluateSeconds=0.2",
            ],
            Ct);
        var client = new HttpClient { BaseAddress = _server.Address };
        var until = TimeProvider.System.GetUtcNow() + s_wait;
        while (true)
        {
            var status = JsonDocument.Parse(await client.GetStringAsync("/status", Ct)).RootElement;
            if (status.GetProperty("health").GetString() == "Healthy" && status.GetProperty("sync").GetString() == "Synced")
            {
                return client;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < until, $"the server did not get ready: {status}\n{_server.Output}");
            await Task.Delay(200, Ct);
        }
    }

    internal static async Task PredictAsync(HttpClient client, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        foreach (var chunk in rows.Chunk(250))
        {
            using var response = await client.PostAsJsonAsync("/models/churn/predict", chunk, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }
    }

    private static async Task<JsonElement> MonitoringAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/monitoring", Ct)).RootElement;

    private async Task<(int Exit, string Output)> MonitorCheckAsync(HttpClient client, params string[] extra)
    {
        using var process = DotNetProcess.Start(s_cli, ["monitor", "check", "--environment", "staging", "--server", client.BaseAddress!.ToString().TrimEnd('/'), "--repo", example.Repository.Path, .. extra], example.Repository.Path);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(1), Ct);
        return (exit, process.Out + process.Error);
    }

    // Waits for the next window to start (windows are aligned to whole multiples of their length), plus a moment.
    internal static async Task NextWindowAsync()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var next = ((now / (WindowSeconds * 1000)) + 1) * WindowSeconds * 1000;
        await Task.Delay(TimeSpan.FromMilliseconds(next - now + 300), Ct);
    }

    private static List<string> DriftedFeatures(JsonElement version) =>
        [.. version.GetProperty("drift").EnumerateArray().Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("feature").GetString()!).Order(StringComparer.Ordinal)];

    private static string Drifted(JsonElement version) => string.Join(", ", version.GetProperty("drift").EnumerateArray()
        .Where(f => f.GetProperty("drifted").GetBoolean())
        .Select(f => $"{f.GetProperty("feature").GetString()} {f.GetProperty("method").GetString()} {f.GetProperty("statistic")} null {f.GetProperty("currentNullRate")}"));

    /// <summary>Receives webhook POSTs on a loopback port of its own and keeps their JSON bodies in order.</summary>
    private sealed class WebhookListener : IDisposable
    {
        private readonly ConcurrentQueue<JsonElement> _received = new();
        private readonly LoopbackHttpListener _listener;

        public WebhookListener() => _listener = new(async context =>
        {
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                _received.Enqueue(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone());
            }

            context.Response.StatusCode = 204;
        });

        public string Url => _listener.Url + "/hook";

        public async Task<IReadOnlyList<JsonElement>> WaitForAsync(int count, TimeSpan limit)
        {
            var until = TimeProvider.System.GetUtcNow() + limit;
            while (_received.Count < count && TimeProvider.System.GetUtcNow() < until)
            {
                await Task.Delay(100, Ct);
            }

            Assert.True(_received.Count == count, $"the webhook received {_received.Count} messages, expected {count}: {string.Join("\n", _received)}");
            return [.. _received];
        }

        public void Dispose() => _listener.Dispose();
    }
}
