using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Gates;

/// <summary>The outcome of one rule for one scope (overall, or one slice value).</summary>
/// <param name="Rule">The rule as declared.</param>
/// <param name="Description">The rule in words, for example "auc >= 0.8" or "auc change vs champion >= -0.01".</param>
/// <param name="Scope">"overall" or "contract=One year".</param>
/// <param name="Candidate">The candidate's value; null when it was not computed.</param>
/// <param name="Champion">The champion's value, for baseline rules.</param>
/// <param name="Delta">Candidate minus champion, for baseline rules.</param>
/// <param name="Passed">Whether the rule held.</param>
/// <param name="Reason">Why it failed, or a note (for example "no champion yet").</param>
public sealed record GateRuleResult(
    GateRule Rule,
    string Description,
    string Scope,
    double? Candidate,
    double? Champion,
    double? Delta,
    bool Passed,
    string? Reason)
{
    /// <summary>For a <c>maxGap</c> rule (scope "contract=*", candidate the gap): the best and worst slice values; otherwise null.</summary>
    public SliceGap? Gap { get; init; }

    /// <summary>The 95% interval of the candidate's value, when its evaluation computed one; the rule judges the value, not the interval.</summary>
    public MetricInterval? CandidateInterval { get; init; }

    /// <summary>For a rule against the champion (when there is one): the paired comparison on the same rows, or why there is none.</summary>
    public PairedRuleResult? Paired { get; init; }
}

/// <summary>
/// A champion rule's paired comparison: both models scored on the same evaluation rows, the difference in the metric's
/// better direction with its interval at <see cref="Confidence"/>, and the verdict that interval gives.
/// </summary>
/// <param name="Confidence">The interval's level: the rule's <c>confidence</c>, else 95%.</param>
/// <param name="Metric">The comparison, or null when not paired.</param>
/// <param name="Interval">The difference's interval at <see cref="Confidence"/>.</param>
/// <param name="Verdict">Better, not distinguishable or worse.</param>
/// <param name="NotPaired">Why the rows were not paired (and the rule fell back to the tag's metrics), or null.</param>
public sealed record PairedRuleResult(double Confidence, PairedMetric? Metric, MetricInterval? Interval, PairedVerdict? Verdict, string? NotPaired)
{
    /// <summary>The rows both models were scored on; 0 when not paired.</summary>
    public int Rows { get; init; }

    /// <summary>The comparison in words: <c>worse: -0.0512 [-0.071, -0.032] at 95% on 400 rows</c>, or <c>not paired: why</c>.</summary>
    public string Summary => Metric is { } metric && Interval is { } interval && Verdict is { } verdict
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{PairedMetric.Words(verdict)}: {(metric.Difference >= 0 ? "+" : "")}{GateEvaluator.Format(metric.Difference)} {interval} at {Confidence:0.##%} on {Rows:N0} rows")
        : $"not paired: {NotPaired}";
}

/// <summary>Every rule's outcome for a candidate against an environment.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Candidate">What is being gated, for example "run 0192f3a" or "churn@v8".</param>
/// <param name="Environment">The target environment, if any.</param>
/// <param name="ChampionVersion">The version the environment pins now, if any.</param>
/// <param name="Results">Each rule's outcome, in declared order.</param>
/// <param name="RequirementFailures">Environment requirements that are not met.</param>
public sealed record GateReport(
    string Model,
    string Candidate,
    string? Environment,
    int? ChampionVersion,
    IReadOnlyList<GateRuleResult> Results,
    IReadOnlyList<string> RequirementFailures)
{
    /// <summary>True when every rule held and every requirement is met.</summary>
    public bool Passed => RequirementFailures.Count == 0 && Results.All(r => r.Passed);

    /// <summary>The metrics whose rules all held (what an environment's <c>requires.gates</c> asks for).</summary>
    public IReadOnlyList<string> PassedMetrics =>
        Results.GroupBy(r => r.Rule.Metric).Where(g => g.All(r => r.Passed)).Select(g => g.Key).ToList();
}
