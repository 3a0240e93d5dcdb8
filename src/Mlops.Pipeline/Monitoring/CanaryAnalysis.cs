using Mlops.Declarations.Environments;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Gates;
using Mlops.Runtime.Monitoring;

namespace Mlops.Pipeline.Monitoring;

/// <summary>A canary analysis rule's outcome, as progressive-delivery tools report it.</summary>
public enum AnalysisOutcome
{
    /// <summary>Enough samples, and the rule holds.</summary>
    Passing,

    /// <summary>Enough samples, and the rule is broken.</summary>
    Failing,

    /// <summary>Too few requests or too little feedback to tell yet.</summary>
    Inconclusive,
}

/// <summary>What to do with the canary.</summary>
public enum CanaryVerdict
{
    /// <summary>Every rule passes: promote the canary to primary.</summary>
    Complete,

    /// <summary>A rule fails: send the traffic back to the primary.</summary>
    Abort,

    /// <summary>Some rule cannot tell yet and none fails: keep the canary running.</summary>
    Wait,
}

/// <summary>One analysis rule's outcome.</summary>
/// <param name="Description">The rule in words (the gate's wording, for example "auc change vs primary >= -0.02").</param>
/// <param name="Outcome">Passing, failing or inconclusive.</param>
/// <param name="Canary">The canary's value, when measured.</param>
/// <param name="Primary">The primary's value, for rules against the primary.</param>
/// <param name="Reason">Why it fails or cannot tell; null when it passes.</param>
public sealed record AnalysisRuleResult(string Description, AnalysisOutcome Outcome, double? Canary, double? Primary, string? Reason);

/// <summary>A canary's analysis over the current window.</summary>
/// <param name="Model">The model.</param>
/// <param name="CanaryVersion">The canary's version.</param>
/// <param name="PrimaryVersion">The primary's version.</param>
/// <param name="Rules">Each declared rule's outcome, in declared order.</param>
/// <param name="Verdict">Complete, abort or wait.</param>
/// <param name="Command">The <c>mlops promote</c> command that carries out the verdict; null while waiting.</param>
public sealed record CanaryReport(string Model, int CanaryVersion, int PrimaryVersion, IReadOnlyList<AnalysisRuleResult> Rules, CanaryVerdict Verdict, string? Command);

/// <summary>
/// Canary analysis for models: the environment file's <c>canary.analysis</c> rules (the gate rules'
/// grammar, against the primary with <c>baseline: primary</c>) evaluated on both versions' live figures.
/// A rule is inconclusive rather than failing while the canary has fewer requests than a
/// <c>requests</c> rule asks for, or, for a live quality metric, fewer than
/// <see cref="MinimumFeedback"/> labelled predictions on either side: a canary is never aborted on
/// a handful of samples, nor completed on them.
/// </summary>
public static class CanaryAnalysis
{
    /// <summary>Labelled predictions each version needs before a rule on a live quality metric counts.</summary>
    public const int MinimumFeedback = LiveMonitor.MinimumFeedback;

    /// <summary>Evaluates the canary's rules.</summary>
    /// <param name="model">The model.</param>
    /// <param name="environment">The environment, for the command.</param>
    /// <param name="canary">The canary as the environment file declares it.</param>
    /// <param name="canaryFigures">The canary's live figures.</param>
    /// <param name="primaryFigures">The primary's live figures.</param>
    public static CanaryReport Evaluate(string model, string environment, CanarySpec canary, VersionMonitor canaryFigures, VersionMonitor primaryFigures)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(canaryFigures);
        ArgumentNullException.ThrowIfNull(primaryFigures);
        var results = new List<AnalysisRuleResult>();
        var requestRules = canary.Analysis.Where(r => r.Metric == "requests").ToList();
        var tooFewRequests = requestRules.Count > 0 && requestRules.Any(r => (Get(canaryFigures, "requests") ?? 0) < (r.Threshold ?? 0));
        foreach (var rule in canary.Analysis)
        {
            results.Add(EvaluateRule(rule, canaryFigures, primaryFigures, tooFewRequests));
        }

        var verdict = results.Any(r => r.Outcome == AnalysisOutcome.Failing) ? CanaryVerdict.Abort
            : results.Any(r => r.Outcome == AnalysisOutcome.Inconclusive) ? CanaryVerdict.Wait
            : CanaryVerdict.Complete;
        var command = verdict switch
        {
            CanaryVerdict.Complete => $"mlops promote {model} --to {environment} --complete",
            CanaryVerdict.Abort => $"mlops promote {model} --to {environment} --abort",
            _ => null,
        };
        return new CanaryReport(model, canary.Version, primaryFigures.Version, results, verdict, command);
    }

    private static AnalysisRuleResult EvaluateRule(GateRule rule, VersionMonitor canary, VersionMonitor primary, bool tooFewRequests)
    {
        var description = GateEvaluator.Describe(rule);
        if (rule.Metric == "requests")
        {
            var requests = Get(canary, "requests") ?? 0;
            return requests < (rule.Threshold ?? 0)
                ? new(description, AnalysisOutcome.Inconclusive, requests, null, $"the canary has answered {GateEvaluator.Format(requests)} requests of the {GateEvaluator.Format(rule.Threshold ?? 0)} asked for")
                : new(description, AnalysisOutcome.Passing, requests, null, null);
        }

        if (tooFewRequests)
        {
            return new(description, AnalysisOutcome.Inconclusive, Get(canary, rule.Metric), Get(primary, rule.Metric), "too few requests yet (see the requests rule)");
        }

        if (!LiveMonitor.ServiceFigures.Contains(rule.Metric))
        {
            var canaryFeedback = Get(canary, "feedback") ?? 0;
            var primaryFeedback = Get(primary, "feedback") ?? 0;
            if (canaryFeedback < MinimumFeedback || (rule.IsRelative && primaryFeedback < MinimumFeedback))
            {
                return new(description, AnalysisOutcome.Inconclusive, Get(canary, rule.Metric), Get(primary, rule.Metric),
                    $"'{rule.Metric}' needs {MinimumFeedback} labelled predictions per version; the canary has {GateEvaluator.Format(canaryFeedback)}, the primary {GateEvaluator.Format(primaryFeedback)}. Send feedback to POST /feedback");
            }
        }

        if (Get(canary, rule.Metric) is null)
        {
            return new(description, AnalysisOutcome.Inconclusive, null, Get(primary, rule.Metric), $"the canary has no '{rule.Metric}' in this window yet");
        }

        // The gate's comparison semantics, with the primary as the champion.
        var gate = GateEvaluator.Evaluate(new GateInput(
            "canary",
            $"v{canary.Version}",
            [rule with { Baseline = GateBaseline.Primary }],
            Metrics(canary),
            Environment: null,
            rule.IsRelative ? (primary.Version, Metrics(primary)) : null));
        var result = gate.Results.Single();
        if (rule.IsRelative && result.Champion is null)
        {
            return new(description, AnalysisOutcome.Inconclusive, result.Candidate, null, $"the primary has no '{rule.Metric}' in this window yet");
        }

        return new(description, result.Passed ? AnalysisOutcome.Passing : AnalysisOutcome.Failing, result.Candidate, result.Champion, result.Passed ? null : result.Reason);
    }

    private static double? Get(VersionMonitor version, string name) => version.Figures.TryGetValue(name, out var value) ? value : null;

    private static MetricSet Metrics(VersionMonitor figures) =>
        new(figures.Figures, new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>());
}
