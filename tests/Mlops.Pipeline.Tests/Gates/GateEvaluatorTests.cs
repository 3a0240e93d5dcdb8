using Mlops.Declarations.Environments;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Gates;

namespace Mlops.Pipeline.Tests.Gates;

public sealed class GateEvaluatorTests
{
    private static GateRule Rule(string metric, double? threshold = null, double? max = null, double? minAbsoluteChange = null, double? minRelativeChange = null, string? slice = null) =>
        new(metric, threshold, max, minAbsoluteChange, minRelativeChange, GateBaseline.Champion, slice);

    private static MetricSet Metrics(params (string Name, double Value)[] overall) =>
        new(overall.ToDictionary(m => m.Name, m => m.Value), MetricSet.Empty.Slices);

    private static MetricSet WithSlice(MetricSet metrics, string slice, params (string Value, string Metric, double Number)[] values) =>
        metrics with
        {
            Slices = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>
            {
                [slice] = values.GroupBy(v => v.Value).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, double>)g.ToDictionary(v => v.Metric, v => v.Number)),
            },
        };

    private static GateReport Evaluate(IReadOnlyList<GateRule> rules, MetricSet candidate, MetricSet? champion = null, EnvironmentSpec? environment = null) =>
        GateEvaluator.Evaluate(new GateInput("churn", "run 1", rules, candidate, environment, champion is null ? null : (7, champion)));

    [Fact]
    public void Gate_AucBelowThreshold_FailsWithMetricAndShortfall()
    {
        var report = Evaluate([Rule("auc", threshold: 0.8)], Metrics(("auc", 0.71)));

        var result = Assert.Single(report.Results);
        Assert.False(report.Passed);
        Assert.Equal("auc >= 0.8", result.Description);
        Assert.Equal("0.71 is below the threshold 0.8 by 0.09", result.Reason);
    }

    [Fact]
    public void Gate_AucAboveThreshold_Passes()
    {
        var report = Evaluate([Rule("auc", threshold: 0.8)], Metrics(("auc", 0.84)));

        Assert.True(report.Passed);
        Assert.Null(Assert.Single(report.Results).Reason);
    }

    [Fact]
    public void Gate_LatencyAboveMax_Fails()
    {
        var report = Evaluate([Rule("p99LatencyMs", max: 2)], Metrics(("p99LatencyMs", 2.5)));

        Assert.False(report.Passed);
        Assert.Equal("2.5 is above the maximum 2 by 0.5", report.Results[0].Reason);
    }

    [Fact]
    public void Gate_MissingMetric_FailsTheRule()
    {
        var report = Evaluate([Rule("f1", threshold: 0.5)], Metrics(("auc", 0.9)));

        Assert.False(report.Passed);
        Assert.Equal("'f1' was not computed for overall", report.Results[0].Reason);
    }

    [Fact]
    public void Gate_ChampionRuleWithoutChampion_PassesAndSaysSo()
    {
        var report = Evaluate([Rule("auc", minAbsoluteChange: -0.01)], Metrics(("auc", 0.5)));

        Assert.True(report.Passed);
        Assert.Equal("no champion yet: the baseline comparison passes", report.Results[0].Reason);
        Assert.Null(report.ChampionVersion);
    }

    [Fact]
    public void Gate_LosesMoreThanAllowedAgainstChampion_FailsWithDelta()
    {
        var report = Evaluate([Rule("auc", minAbsoluteChange: -0.01)], Metrics(("auc", 0.82)), champion: Metrics(("auc", 0.84)));

        var result = report.Results[0];
        Assert.False(result.Passed);
        Assert.Equal(0.84, result.Champion);
        Assert.Equal(-0.02, result.Delta!.Value, 10);
        Assert.Equal("changed by -0.02 against the champion's 0.84, less than the allowed -0.01", result.Reason);
    }

    [Fact]
    public void Gate_LowerIsBetterMetric_MeasuresChangeInTheBetterDirection()
    {
        // 0.1 ms faster is an improvement of +0.1 even though the number went down.
        var faster = Evaluate([Rule("p99LatencyMs", minAbsoluteChange: 0)], Metrics(("p99LatencyMs", 1.0)), champion: Metrics(("p99LatencyMs", 1.1)));
        var slower = Evaluate([Rule("p99LatencyMs", minAbsoluteChange: 0)], Metrics(("p99LatencyMs", 1.2)), champion: Metrics(("p99LatencyMs", 1.1)));

        Assert.True(faster.Passed);
        Assert.False(slower.Passed);
    }

    [Fact]
    public void Gate_RelativeChange_ComparesAgainstChampionShare()
    {
        var report = Evaluate([Rule("recall", minRelativeChange: -0.05)], Metrics(("recall", 0.45)), champion: Metrics(("recall", 0.5)));

        Assert.False(report.Passed);
        Assert.Equal("changed by -10% against the champion's 0.5, less than the allowed -5%", report.Results[0].Reason);
    }

    [Fact]
    public void Gate_SliceRule_AppliesToEveryValue()
    {
        var candidate = WithSlice(Metrics(("recall", 0.6)), "contract", ("Month-to-month", "recall", 0.7), ("One year", "recall", 0.2), ("Two year", "recall", 0.55));

        var report = Evaluate([Rule("recall", threshold: 0.5, slice: "contract")], candidate);

        Assert.Equal(["contract=Month-to-month", "contract=One year", "contract=Two year"], report.Results.Select(r => r.Scope));
        Assert.Equal([true, false, true], report.Results.Select(r => r.Passed));
        Assert.False(report.Passed);
    }

    [Fact]
    public void Gate_SliceRuleWithoutSliceMetrics_Fails()
    {
        var report = Evaluate([Rule("recall", threshold: 0.5, slice: "contract")], Metrics(("recall", 0.6)));

        Assert.False(report.Passed);
        Assert.Contains("no metrics per 'contract'", report.Results[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_EnvironmentRequiresGateTheModelLacks_FailsTheRequirement()
    {
        var production = new EnvironmentSpec("production", new PromotionRequirements("staging", ["auc", "recall"]), [], MonitoringSpec.Default, null);

        var report = Evaluate([Rule("auc", threshold: 0.8)], Metrics(("auc", 0.9)), environment: production);

        Assert.False(report.Passed);
        Assert.Equal(["auc"], report.PassedMetrics);
        Assert.Contains("requires a passing gate on 'recall', but the model declares no rule on it", Assert.Single(report.RequirementFailures), StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_HasOneTableRowPerResultWithVerdicts()
    {
        var candidate = Metrics(("auc", 0.82)) with { Intervals = new Dictionary<string, MetricInterval> { ["auc"] = new(0.8012, 0.83995) } };
        var report = Evaluate([Rule("auc", threshold: 0.8), Rule("auc", minAbsoluteChange: -0.01)], candidate, champion: Metrics(("auc", 0.84)));

        var markdown = GateReportWriter.ToMarkdown(report);

        Assert.Equal(
            """
            ### Gate FAILED: churn run 1

            Champion: v7.

            | Rule | Scope | Candidate | 95% interval | Champion | Delta | Verdict |
            |---|---|---:|---:|---:|---:|---|
            | auc >= 0.8 | overall | 0.82 | [0.8012, 0.84] |  |  | pass |
            | auc change vs champion >= -0.01 | overall | 0.82 | [0.8012, 0.84] | 0.84 | -0.02 | **FAIL**: changed by -0.02 against the champion's 0.84, less than the allowed -0.01 |

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            markdown);
    }

    [Fact]
    public void Json_CarriesVerdictAndEveryRule()
    {
        var report = Evaluate([Rule("auc", threshold: 0.8)], Metrics(("auc", 0.7)));

        using var json = System.Text.Json.JsonDocument.Parse(GateReportWriter.ToJson(report));

        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var rule = Assert.Single(json.RootElement.GetProperty("rules").EnumerateArray());
        Assert.Equal("auc", rule.GetProperty("metric").GetString());
        Assert.Equal(0.7, rule.GetProperty("candidate").GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rule.GetProperty("champion").ValueKind);
    }

    [Fact]
    public void Json_CarriesTheCandidatesIntervalPerScope_AndNullWithoutOne()
    {
        var candidate = WithSlice(Metrics(("auc", 0.82)), "contract", ("One year", "auc", 0.7), ("Two year", "auc", 0.9)) with
        {
            Intervals = new Dictionary<string, MetricInterval> { ["auc"] = new(0.8, 0.84), ["auc[contract=One year]"] = new(0.6, 0.77) },
        };

        var report = Evaluate([Rule("auc", threshold: 0.5), Rule("auc", threshold: 0.5, slice: "contract")], candidate);
        using var json = System.Text.Json.JsonDocument.Parse(GateReportWriter.ToJson(report));

        var rules = json.RootElement.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(3, rules.Count);
        Assert.Equal((0.8, 0.84), (rules[0].GetProperty("ciLow").GetDouble(), rules[0].GetProperty("ciHigh").GetDouble()));
        Assert.Equal("contract=One year", rules[1].GetProperty("scope").GetString());
        Assert.Equal((0.6, 0.77), (rules[1].GetProperty("ciLow").GetDouble(), rules[1].GetProperty("ciHigh").GetDouble()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rules[2].GetProperty("ciLow").ValueKind);
    }
}
