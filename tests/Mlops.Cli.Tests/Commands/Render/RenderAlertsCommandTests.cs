using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Render;

public sealed class RenderAlertsCommandTests : IDisposable
{
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task RequirePromtoolAsync()
    {
        var available = await Promtool.IsAvailableAsync(Ct);
        Assert.False(!available && Promtool.Required, Promtool.Missing);
        Assert.SkipUnless(available, Promtool.Missing);
    }

    private void WriteEnvironment(string monitoring) =>
        _repo.Write("environments/canary.yaml", "environment: canary\nmodels: []\nmonitoring:\n" + monitoring);

    [Fact]
    public async Task RenderAlerts_ExampleProduction_PassesPromtoolCheckRules()
    {
        await RequirePromtoolAsync();
        var file = _repo.Combine("rules/production.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);

        var result = await CliRunner.RunAsync("render", "alerts", "production", "--output", file, "--repo", _repo.Path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        Assert.Equal($"render alerts production: 5 rule(s) written to {file}\n", result.Error);
        var (exit, output) = await Promtool.RunAsync(Ct, "check", "rules", file);
        Assert.True(exit == 0, output);
        Assert.Contains("SUCCESS: 5 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAlerts_EveryKindOfCondition_PassesPromtoolCheckRules()
    {
        await RequirePromtoolAsync();
        WriteEnvironment("""
              window: 30m
              alerts:
                - { when: drift }
                - { when: nullRate >= 0.2, for: 90s }
                - { when: p99LatencyMs > 20, for: 5m }
                - { when: errorRate > 0.01 }
                - { when: fallbackRate > 0.05, for: 2d }
                - { when: accuracy <= 0.7 }
                - { when: f1 < training - 0.1 }
                - { when: logLoss > training + 0.05, runbook: "https://wiki.example/runbooks/churn" }
                - { when: rmse > 12.5 }
                - { when: mae > training + 2 }
            """);

        var result = await CliRunner.RunAsync("render", "alerts", "canary", "--repo", _repo.Path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        var file = _repo.Write("rules.yml", result.Out);
        var (exit, output) = await Promtool.RunAsync(Ct, "check", "rules", file);
        Assert.True(exit == 0, output + "\n" + result.Out);
        Assert.Contains("SUCCESS: 10 rules found", output, StringComparison.Ordinal);
        Assert.Contains("expr: \"mlops_live_metric{metric=\\\"log_loss\\\"} > on (model, version, metric) (mlops_training_metric{metric=\\\"log_loss\\\"} + 0.05)\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("rate(mlops_request_duration_seconds_bucket[30m])", result.Out, StringComparison.Ordinal);
        Assert.Contains("        for: 90s\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("        for: 2d\n", result.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// promtool's own rule unit tests on synthetic series: the rendered expressions compute what the rules say (a drift that
    /// fires only after its for:, an error ratio, a live metric against its training figure minus the margin).
    /// </summary>
    [Fact]
    public async Task RenderAlerts_RulesFireOnSyntheticSeries_AsPromtoolTestRulesEvaluatesThem()
    {
        await RequirePromtoolAsync();
        WriteEnvironment("""
              window: 5m
              alerts:
                - { when: drift, for: 10m, runbook: docs/runbooks/churn.md }
                - { when: errorRate > 0.01 }
                - { when: auc < training - 0.05 }
            """);
        var result = await CliRunner.RunAsync("render", "alerts", "canary", "--output", _repo.Combine("rules.yml"), "--repo", _repo.Path);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        var tests = _repo.Write("rules.test.yml", """
            rule_files: [rules.yml]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'mlops_dataset_drifted{model="churn",version="7"}'
                    values: '0 0 0 0 0 1x30'
                  - series: 'mlops_requests_total{model="churn",version="7",role="primary",route="v2"}'
                    values: '0+100x30'
                  - series: 'mlops_request_errors_total{model="churn",route="v2",kind="internal"}'
                    values: '0+5x30'
                  - series: 'mlops_live_metric{model="churn",version="7",metric="auc"}'
                    values: '0.78x10 0.7x20'
                  - series: 'mlops_training_metric{model="churn",version="7",metric="auc"}'
                    values: '0.8x30'
                alert_rule_test:
                  - eval_time: 14m
                    alertname: MlopsDrift
                    exp_alerts: []
                  - eval_time: 15m
                    alertname: MlopsDrift
                    exp_alerts:
                      - exp_labels: { severity: warning, environment: canary, rule: drift, model: churn, version: "7" }
                        exp_annotations:
                          summary: "churn v7 in canary: drift, value 1"
                          runbook_url: docs/runbooks/churn.md
                          rollback: mlops rollback canary
                  - eval_time: 10m
                    alertname: MlopsErrorRate
                    exp_alerts:
                      - exp_labels: { severity: critical, environment: canary, rule: "errorRate > 0.01", model: churn }
                        exp_annotations:
                          summary: "churn in canary: errorRate > 0.01, value 0.05"
                          rollback: mlops rollback canary
                  - eval_time: 5m
                    alertname: MlopsLiveAuc
                    exp_alerts: []
                  - eval_time: 15m
                    alertname: MlopsLiveAuc
                    exp_alerts:
                      - exp_labels: { severity: warning, environment: canary, rule: "auc < training - 0.05", model: churn, version: "7", metric: auc }
                        exp_annotations:
                          summary: "churn v7 in canary: auc < training - 0.05, value 0.7"
                          rollback: mlops rollback canary
            """);

        var (exit, output) = await Promtool.RunAsync(Ct, "test", "rules", tests);

        Assert.True(exit == 0, output + "\n" + _repo.Read("rules.yml"));
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAlerts_StandardOutput_EqualsTheOutputFile()
    {
        var file = _repo.Combine("rules.yml");

        var toStdout = await CliRunner.SucceedAsync("render", "alerts", "staging", "--repo", _repo.Path);
        await CliRunner.SucceedAsync("render", "alerts", "staging", "--repo", _repo.Path, "--output", file);

        Assert.Equal(toStdout.Out, await File.ReadAllTextAsync(file, Ct));
        Assert.StartsWith("# Prometheus alerting rules of environment 'staging', rendered from environments/staging.yaml\n", toStdout.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAlerts_UnknownEnvironment_ExitsTwoNamingTheDeclaredOnes()
    {
        var result = await CliRunner.RunAsync("render", "alerts", "prod", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("mlops: environment 'prod' is not declared in environments/ (declared: production, staging). Pass the name of an environments/NAME.yaml file.\n", result.Error);
    }

    [Fact]
    public async Task RenderAlerts_BadRule_ExitsOneWithTheLocatedDiagnostic()
    {
        WriteEnvironment("  alerts:\n    - { when: latency > 20 }\n");

        var result = await CliRunner.RunAsync("render", "alerts", "canary", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.StartsWith("environments/canary.yaml(5,15): error MLOPS0310: 'when' is 'latency > 20'", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("environments/canary.yaml has 1 error(s); fix them and render again", result.Error, StringComparison.Ordinal);
    }
}
