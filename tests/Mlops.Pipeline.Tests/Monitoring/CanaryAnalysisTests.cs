using Mlops.Declarations.Environments;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Monitoring;
using Mlops.Runtime.Monitoring;

namespace Mlops.Pipeline.Tests.Monitoring;

public sealed class CanaryAnalysisTests
{
    private static readonly GateRule s_minRequests = new("requests", 200, null, null, null, GateBaseline.Champion, null);
    private static readonly GateRule s_errorRate = new("errorRate", null, 0.01, null, null, GateBaseline.Champion, null);
    private static readonly GateRule s_aucAgainstPrimary = new("auc", null, null, -0.02, null, GateBaseline.Primary, null);

    private static CanarySpec Canary(params GateRule[] rules) => new(2, "sha256:" + new string('b', 64), 50, rules);

    private static VersionMonitor Figures(int version, double requests, double feedback, double errorRate, double? auc)
    {
        var figures = new Dictionary<string, double> { ["requests"] = requests, ["feedback"] = feedback, ["errorRate"] = errorRate };
        if (auc is { } value)
        {
            figures["auc"] = value;
        }

        var start = new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
        return new VersionMonitor(version, "sha256:" + new string('a', 64), version == 1 ? "primary" : "canary", start, start.AddHours(1), figures, new Dictionary<string, double>(), [], Drifted: false);
    }

    [Fact]
    public void Evaluate_WorseCanaryOnEnoughFeedback_FailsAndSaysAbortWithTheCommand()
    {
        var report = CanaryAnalysis.Evaluate("churn", "staging", Canary(s_minRequests, s_errorRate, s_aucAgainstPrimary),
            Figures(2, 500, 400, 0, 0.52), Figures(1, 500, 400, 0, 0.84));

        Assert.Equal(CanaryVerdict.Abort, report.Verdict);
        Assert.Equal("mlops promote churn --to staging --abort", report.Command);
        Assert.Equal([AnalysisOutcome.Passing, AnalysisOutcome.Passing, AnalysisOutcome.Failing], report.Rules.Select(r => r.Outcome));
        var auc = report.Rules[2];
        Assert.Equal((0.52, 0.84), (auc.Canary, auc.Primary));
        Assert.Contains("against the primary's 0.84", auc.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_EqualCanary_PassesAndSaysComplete()
    {
        var report = CanaryAnalysis.Evaluate("churn", "staging", Canary(s_minRequests, s_errorRate, s_aucAgainstPrimary),
            Figures(2, 500, 400, 0.001, 0.83), Figures(1, 500, 400, 0, 0.84));

        Assert.Equal((CanaryVerdict.Complete, "mlops promote churn --to staging --complete"), (report.Verdict, report.Command));
    }

    [Fact]
    public void Evaluate_TooFewRequests_IsInconclusiveAndWaits_EvenWhenTheFiguresLookBad()
    {
        var report = CanaryAnalysis.Evaluate("churn", "staging", Canary(s_minRequests, s_errorRate),
            Figures(2, 20, 0, 0.5, null), Figures(1, 20, 0, 0, null));

        Assert.Equal(CanaryVerdict.Wait, report.Verdict);
        Assert.Null(report.Command);
        Assert.All(report.Rules, r => Assert.Equal(AnalysisOutcome.Inconclusive, r.Outcome));
        Assert.Contains("20 requests of the 200", report.Rules[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LiveMetricWithTooLittleFeedback_IsInconclusiveNotFailing()
    {
        var report = CanaryAnalysis.Evaluate("churn", "staging", Canary(s_aucAgainstPrimary),
            Figures(2, 500, CanaryAnalysis.MinimumFeedback - 1, 0, 0.1), Figures(1, 500, 400, 0, 0.84));

        Assert.Equal(CanaryVerdict.Wait, report.Verdict);
        Assert.Contains("POST /feedback", report.Rules.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ErrorRateAboveItsMaximum_Fails()
    {
        var report = CanaryAnalysis.Evaluate("churn", "staging", Canary(s_errorRate), Figures(2, 500, 0, 0.05, null), Figures(1, 500, 0, 0, null));

        Assert.Equal(CanaryVerdict.Abort, report.Verdict);
        Assert.Contains("above the maximum 0.01", report.Rules.Single().Reason, StringComparison.Ordinal);
    }
}
