using System.Text.Json;
using Mlops.Declarations.Environments;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Gates;

namespace Mlops.Pipeline.Tests.Gates;

/// <summary><c>maxGap</c>: the metric's largest minus smallest value across a slice's values, with the best and worst named.</summary>
public sealed class SliceGapTests
{
    private static GateRule GapRule(string metric, double maxGap, double? threshold = null) =>
        new(metric, threshold, null, null, null, GateBaseline.Champion, "contract") { MaxGap = maxGap };

    private static MetricSet Contract(params (string Value, string Metric, double Number)[] values) =>
        new(new Dictionary<string, double> { ["recall"] = 0.7 },
            new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>
            {
                ["contract"] = values.GroupBy(v => v.Value).ToDictionary(
                    g => g.Key,
                    g => (IReadOnlyDictionary<string, double>)g.Where(v => v.Metric.Length > 0).ToDictionary(v => v.Metric, v => v.Number)),
            });

    private static GateReport Evaluate(GateRule rule, MetricSet candidate) =>
        GateEvaluator.Evaluate(new GateInput("churn", "run 1", [rule], candidate, null, null));

    [Fact]
    public void Gap_AboveMaxGap_FailsNamingTheBestAndWorstValues()
    {
        var report = Evaluate(GapRule("recall", 0.1), Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.55), ("Two year", "recall", 0.75)));

        var result = Assert.Single(report.Results);
        Assert.False(report.Passed);
        Assert.Equal("recall gap across contract <= 0.1", result.Description);
        Assert.Equal("contract=*", result.Scope);
        Assert.Equal(0.25, result.Candidate!.Value, 1e-12);
        Assert.Equal("gap 0.25 is above the maximum 0.1 by 0.15: best contract=Month-to-month (0.8), worst contract=One year (0.55)", result.Reason);
        Assert.Equal(new SliceGapEnd("Month-to-month", 0.8), result.Gap!.Best);
        Assert.Equal(new SliceGapEnd("One year", 0.55), result.Gap.Worst);
    }

    [Fact]
    public void Gap_WithinMaxGap_PassesAndStillNamesTheEnds()
    {
        var report = Evaluate(GapRule("recall", 0.1), Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.75)));

        var result = Assert.Single(report.Results);
        Assert.True(report.Passed);
        Assert.Equal("best contract=Month-to-month (0.8), worst contract=One year (0.75)", result.Reason);
        Assert.Equal(["recall"], report.PassedMetrics);
    }

    [Fact]
    public void Gap_LowerIsBetterMetric_BestIsTheLowestValue()
    {
        var report = Evaluate(GapRule("logLoss", 0.5), Contract(("Month-to-month", "logLoss", 0.6), ("One year", "logLoss", 0.3)));

        var gap = Assert.Single(report.Results).Gap!;
        Assert.Equal("One year", gap.Best.Value);
        Assert.Equal("Month-to-month", gap.Worst.Value);
    }

    [Fact]
    public void Gap_ValueWithUndefinedMetric_IsLeftOutAndNamed()
    {
        // A value with no positive rows has no recall: it neither widens nor narrows the gap.
        var report = Evaluate(GapRule("recall", 0.1), Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.78), ("Two year", "accuracy", 0.9)));

        var result = Assert.Single(report.Results);
        Assert.True(result.Passed);
        Assert.Equal(["Two year"], result.Gap!.Undefined);
        Assert.EndsWith("; left out, 'recall' undefined: Two year", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Gap_FewerThanTwoValuesWithTheMetric_Fails()
    {
        var report = Evaluate(GapRule("recall", 0.1), Contract(("Month-to-month", "recall", 0.8), ("Two year", "accuracy", 0.9)));

        var result = Assert.Single(report.Results);
        Assert.False(result.Passed);
        Assert.Null(result.Candidate);
        Assert.Equal("'recall' is defined for 1 value(s) of 'contract', and a gap needs two; left out, 'recall' undefined: Two year", result.Reason);
    }

    [Fact]
    public void Gap_WithThreshold_ChecksEachValueAndTheGap()
    {
        var report = Evaluate(GapRule("recall", 0.3, threshold: 0.6), Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.55)));

        Assert.Equal(["contract=Month-to-month", "contract=One year", "contract=*"], report.Results.Select(r => r.Scope));
        Assert.Equal(["recall >= 0.6", "recall >= 0.6", "recall gap across contract <= 0.3"], report.Results.Select(r => r.Description));
        Assert.Equal([true, false, true], report.Results.Select(r => r.Passed));
    }

    [Fact]
    public void Gap_SliceNotComputed_FailsSayingSo()
    {
        var report = Evaluate(GapRule("recall", 0.1), new MetricSet(new Dictionary<string, double>(), MetricSet.Empty.Slices));

        var result = Assert.Single(report.Results);
        Assert.False(result.Passed);
        Assert.Equal("recall gap across contract <= 0.1", result.Description);
        Assert.StartsWith("no metrics per 'contract' were computed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_GapRuleCarriesBestAndWorst_OtherRulesHaveNoGap()
    {
        var candidate = Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.55));
        var report = GateEvaluator.Evaluate(new GateInput("churn", "run 1",
            [new GateRule("recall", 0.5, null, null, null, GateBaseline.Champion, null), GapRule("recall", 0.1)], candidate, null, null));

        using var json = JsonDocument.Parse(GateReportWriter.ToJson(report));

        var rules = json.RootElement.GetProperty("rules").EnumerateArray().ToList();
        Assert.False(rules[0].TryGetProperty("gap", out _));
        var gap = rules[1].GetProperty("gap");
        Assert.Equal("Month-to-month", gap.GetProperty("best").GetProperty("value").GetString());
        Assert.Equal(0.8, gap.GetProperty("best").GetProperty("metric").GetDouble());
        Assert.Equal("One year", gap.GetProperty("worst").GetProperty("value").GetString());
        Assert.Equal(0.55, gap.GetProperty("worst").GetProperty("metric").GetDouble());
        Assert.Equal(0.25, rules[1].GetProperty("candidate").GetDouble(), 1e-12);
    }

    [Fact]
    public void Markdown_GapRow_ShowsTheGapAndTheEnds()
    {
        var report = Evaluate(GapRule("recall", 0.1), Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.55)));

        var markdown = GateReportWriter.ToMarkdown(report);

        Assert.Contains("| recall gap across contract <= 0.1 | contract=* | 0.25 |  |  |  | **FAIL**: gap 0.25 is above the maximum 0.1 by 0.15: best contract=Month-to-month (0.8), worst contract=One year (0.55) |\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Requirement_OnTheGapsMetric_FollowsTheGapRule()
    {
        var production = new EnvironmentSpec("production", new PromotionRequirements("staging", ["recall"]), [], MonitoringSpec.Default, null);
        var wide = Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.55));
        var narrow = Contract(("Month-to-month", "recall", 0.8), ("One year", "recall", 0.75));

        var failed = GateEvaluator.Evaluate(new GateInput("churn", "run 1", [GapRule("recall", 0.1)], wide, production, null));
        var passed = GateEvaluator.Evaluate(new GateInput("churn", "run 1", [GapRule("recall", 0.1)], narrow, production, null));

        Assert.Equal(["environment 'production' requires the gate on 'recall' to pass, and it failed"], failed.RequirementFailures);
        Assert.Empty(passed.RequirementFailures);
    }
}
