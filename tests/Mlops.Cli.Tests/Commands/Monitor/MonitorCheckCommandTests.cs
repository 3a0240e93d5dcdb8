using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mlops.Runtime.Monitoring;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Monitor;

/// <summary>
/// <c>mlops monitor check</c> against a real HTTP endpoint on loopback that answers a monitor report
/// (the server's own report is covered by the server's monitoring tests): the verdicts, the exit codes
/// and the errors a scheduled job meets.
/// </summary>
public sealed class MonitorCheckCommandTests : IDisposable
{
    private static readonly string s_good = "sha256:" + new string('a', 64);
    private static readonly string s_weak = "sha256:" + new string('b', 64);
    private readonly ExampleRepository _repo = new();

    public MonitorCheckCommandTests() => _repo.Write("environments/staging.yaml", $"""
        environment: staging
        models:
          - model: churn
            version: 1
            digest: {s_good}
            featureSet: customer@1
            canary:
              version: 2
              digest: {s_weak}
              weight: 50
              analysis:
                - {"{"} metric: requests, threshold: 100 {"}"}
                - {"{"} metric: auc, minAbsoluteChange: -0.02, baseline: primary {"}"}
        monitoring:
          window: 1h
          alerts:
            - {"{"} when: drift, runbook: docs/runbooks/churn.md {"}"}
        """);

    public void Dispose() => _repo.Dispose();

    private static MonitorReport Report(double canaryAuc, params AlertStatus[] alerts)
    {
        var start = new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
        VersionMonitor Version(int version, string digest, string role, double auc) => new(version, digest, role, start, start.AddHours(1),
            new Dictionary<string, double> { ["requests"] = 400, ["feedback"] = 200, ["auc"] = auc, ["errorRate"] = 0 },
            new Dictionary<string, double> { ["auc"] = 0.84 }, [], Drifted: false);
        return new MonitorReport("staging", start.AddMinutes(20), 3600,
            [new ModelMonitor("churn", [Version(1, s_good, "primary", 0.84), Version(2, s_weak, "canary", canaryAuc)])], alerts);
    }

    [Fact]
    public async Task Check_WorseCanary_SaysAbortWithTheCommandAndExitsOne()
    {
        using var server = new ReportServer(JsonSerializer.Serialize(Report(0.51), new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", server.Url, "--repo", _repo.Path);

        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        Assert.Contains("canary churn v2 against primary v1: abort", result.Out, StringComparison.Ordinal);
        Assert.Contains("failing      auc change vs primary >= -0.02 (canary 0.51, primary 0.84)", result.Out, StringComparison.Ordinal);
        Assert.Contains("run: mlops promote churn --to staging --abort", result.Out, StringComparison.Ordinal);
        Assert.Contains("retrain: not needed", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_EqualCanaryAndNoAlert_SaysCompleteAndExitsZero()
    {
        using var server = new ReportServer(JsonSerializer.Serialize(Report(0.835), new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", server.Url, "--repo", _repo.Path, "--json");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var canary = json.RootElement.GetProperty("canaries")[0];
        Assert.Equal(("complete", "mlops promote churn --to staging --complete"), (canary.GetProperty("verdict").GetString(), canary.GetProperty("command").GetString()));
        Assert.False(json.RootElement.GetProperty("actionNeeded").GetBoolean());
    }

    [Fact]
    public async Task Check_FiringDriftAlert_AsksForRetrainingAndExitsOne()
    {
        var since = new DateTimeOffset(2026, 12, 2, 17, 12, 0, TimeSpan.Zero);
        var drift = new AlertStatus("drift", "drift", "churn", 1, "firing", since, 0.67, "churn v1: drift in monthly_charges, contract, total_charges");
        var latency = new AlertStatus("p99LatencyMs > 20", "p99LatencyMs", "churn", 1, "firing", since, 25, "churn v1: p99 25 ms above 20 ms");
        using var server = new ReportServer(JsonSerializer.Serialize(Report(0.835, drift, latency), new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", server.Url, "--repo", _repo.Path, "--json");

        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var retrain = Assert.Single(json.RootElement.GetProperty("retrain").EnumerateArray());
        Assert.Equal("drift", retrain.GetProperty("rule").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("firing").GetArrayLength());
    }

    [Fact]
    public async Task Check_ServerOfAnotherEnvironment_IsRefusedWithExitTwo()
    {
        using var server = new ReportServer(JsonSerializer.Serialize(Report(0.84) with { Environment = "production" }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", server.Url, "--repo", _repo.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the server serves environment 'production', not 'staging'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NobodyListening_SaysSoInOneLineWithExitTwo()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", $"http://127.0.0.1:{port}", "--repo", _repo.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}/monitoring", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_ServerThatIsNotAnAddress_IsRefusedWithExitTwo()
    {
        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", "localhost8080", "--repo", _repo.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--server 'localhost8080' is not an http:// or https:// address", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NotAReport_IsRefusedWithExitTwo()
    {
        using var server = new ReportServer("<html>not json</html>");

        var result = await CliRunner.RunAsync("monitor", "check", "--environment", "staging", "--server", server.Url, "--repo", _repo.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did not answer a monitor report", result.Error, StringComparison.Ordinal);
    }

    /// <summary>Answers every GET /monitoring with the same body, on a loopback port of its own.</summary>
    private sealed class ReportServer(string body) : IDisposable
    {
        private readonly LoopbackHttpListener _listener = new(async context =>
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = context.Request.Url!.AbsolutePath == "/monitoring" ? 200 : 404;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
        });

        public string Url => _listener.Url;

        public void Dispose() => _listener.Dispose();
    }
}
