using System.Text.Json;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Tests.Gates;

/// <summary>Champion rules judged on a paired comparison (<c>confidence</c>), and the paired verdict every champion rule reports.</summary>
public sealed class PairedGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GateRule ChampionRule(double? minAbsoluteChange = null, double? minRelativeChange = null, double? confidence = null) =>
        new("auc", null, null, minAbsoluteChange, minRelativeChange, GateBaseline.Champion, null) { Confidence = confidence };

    /// <summary>The champion ranks 800 rows by a useful score; the candidate by that score or by a noisier one.</summary>
    private static PairedComparison Comparison(double candidateNoise)
    {
        var random = new Random(5);
        var scores = Enumerable.Range(0, 800).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s).ToArray();
        var candidate = scores.Select(s => s + (float)(candidateNoise * (random.NextDouble() - 0.5))).ToArray();
        Func<int[], IReadOnlyDictionary<string, double>> Model(float[] p)
        {
            var ranked = new RankedBinaryPredictions(labels, p, null, [.. p.Select(v => v >= 0.5f)]);
            return counts => ranked.Metrics(counts).Metrics;
        }

        return PairedComparison.Compute(new HoldoutBootstrap(1000, 42), labels.Length, Model(candidate), Model(scores), Ct);
    }

    private static GateReport Evaluate(GateRule rule, ChampionPairing pairing, double candidateAuc = 0.80, double championTagAuc = 0.80) =>
        GateEvaluator.Evaluate(new GateInput("churn", "run 1", [rule], Metrics(candidateAuc), null, (7, Metrics(championTagAuc))) { Pairing = pairing });

    private static MetricSet Metrics(double auc) => new(new Dictionary<string, double> { ["auc"] = auc }, MetricSet.Empty.Slices);

    [Fact]
    public void ConfidenceRule_TrulyWorseCandidate_FailsOnTheIntervalsLowerBound_AndSaysWorse()
    {
        var pairing = new ChampionPairing(Comparison(candidateNoise: 1.5), null);

        var result = Assert.Single(Evaluate(ChampionRule(minAbsoluteChange: -0.02, confidence: 0.95), pairing).Results);

        Assert.False(result.Passed);
        Assert.Equal(PairedVerdict.Worse, result.Paired!.Verdict);
        Assert.StartsWith("at 95% confidence the change against the champion on the same rows is only known to be at least -0.", result.Reason, StringComparison.Ordinal);
        Assert.EndsWith(", less than the allowed -0.02", result.Reason, StringComparison.Ordinal);
        Assert.Equal("auc change vs champion >= -0.02 at 95% confidence", result.Description);
        Assert.StartsWith("worse: -0.", result.Paired.Summary, StringComparison.Ordinal);
        Assert.EndsWith(" at 95% on 800 rows", result.Paired.Summary, StringComparison.Ordinal);
        // The delta shown is the one judged: on the same rows, not the tag's.
        Assert.Equal(result.Paired.Metric!.Candidate - result.Paired.Metric.Champion, result.Delta);
    }

    [Fact]
    public void ConfidenceRule_NoiseOnlyCandidate_NotDistinguishable_PassesANonInferiorityMarginItsIntervalFitsIn()
    {
        var pairing = new ChampionPairing(Comparison(candidateNoise: 0.02), null);

        var report = Evaluate(ChampionRule(minAbsoluteChange: -0.01, confidence: 0.95), pairing);

        var result = Assert.Single(report.Results);
        Assert.True(result.Passed, result.Reason);
        Assert.Equal(PairedVerdict.NotDistinguishable, result.Paired!.Verdict);
        Assert.InRange(result.Paired.Interval!.Low, -0.01, 0);
    }

    [Fact]
    public void ConfidenceRule_RelativeChange_UsesTheRelativeIntervalsLowerBound()
    {
        var pairing = new ChampionPairing(Comparison(candidateNoise: 1.5), null);

        var result = Assert.Single(Evaluate(ChampionRule(minRelativeChange: -0.01, confidence: 0.9), pairing).Results);

        Assert.False(result.Passed);
        Assert.Contains("at 90% confidence the relative change against the champion on the same rows is only known to be at least -", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0.9, result.Paired!.Confidence);
    }

    [Fact]
    public void ConfidenceRule_NotPaired_FailsWithTheReasonAndTheFix()
    {
        var pairing = new ChampionPairing(null, "the champion churn@v1 was split with seed 42, holdout 0.2 and the candidate with seed 7, holdout 0.2");

        var result = Assert.Single(Evaluate(ChampionRule(minAbsoluteChange: -0.01, confidence: 0.95), pairing).Results);

        Assert.False(result.Passed);
        Assert.Equal("not paired: the champion churn@v1 was split with seed 42, holdout 0.2 and the candidate with seed 7, holdout 0.2. "
            + "A rule with confidence judges the paired comparison; fix the cause, or remove confidence to compare with the tag's metrics", result.Reason);
    }

    [Fact]
    public void RuleWithoutConfidence_KeepsThePointSemanticsOnTheTagsMetrics_AndReportsThePairedVerdict()
    {
        var pairing = new ChampionPairing(Comparison(candidateNoise: 1.5), null);

        var report = Evaluate(ChampionRule(minAbsoluteChange: -0.01), pairing, candidateAuc: 0.80, championTagAuc: 0.805);

        var result = Assert.Single(report.Results);
        Assert.True(result.Passed, result.Reason); // the tag's 0.805 against 0.80: within -0.01
        Assert.Equal(0.805, result.Champion);
        Assert.Equal(PairedVerdict.Worse, result.Paired!.Verdict);
        var json = JsonDocument.Parse(GateReportWriter.ToJson(report)).RootElement.GetProperty("rules")[0].GetProperty("paired");
        Assert.Equal("worse", json.GetProperty("verdict").GetString());
        Assert.True(json.GetProperty("ciHigh").GetDouble() < 0);
        Assert.Equal(800, json.GetProperty("rows").GetInt32());
        var markdown = GateReportWriter.ToMarkdown(report);
        Assert.Contains("\n- auc change vs champion >= -0.01 [overall]: worse: -0.", markdown, StringComparison.Ordinal);
        var evidence = PromoteStage.Evidence(GateReportWriter.ToJson(report));
        Assert.Contains("pass; paired with the champion: worse: -0.", evidence.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleWithoutConfidence_NotPaired_PassesOnTheTag_AndSaysWhyItWasNotPaired()
    {
        var report = Evaluate(ChampionRule(minAbsoluteChange: -0.01), new ChampionPairing(null, "the data changed"));

        var result = Assert.Single(report.Results);
        Assert.True(result.Passed);
        Assert.Equal("not paired: the data changed", result.Paired!.Summary);
        Assert.Contains("[overall]: not paired: the data changed", GateReportWriter.ToMarkdown(report), StringComparison.Ordinal);
    }

    [Fact]
    public void RulesWithoutChampionBaseline_CarryNoPairedResult()
    {
        var report = GateEvaluator.Evaluate(new GateInput("churn", "run 1", [new GateRule("auc", 0.7, null, null, null, GateBaseline.Champion, null)], Metrics(0.8), null, (7, Metrics(0.8)))
        {
            Pairing = new ChampionPairing(Comparison(0.02), null),
        });

        Assert.Null(Assert.Single(report.Results).Paired);
        Assert.DoesNotContain("\"paired\"", GateReportWriter.ToJson(report), StringComparison.Ordinal);
    }
}
