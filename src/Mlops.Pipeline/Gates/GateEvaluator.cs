using System.Globalization;
using Mlops.Declarations.Environments;
using Mlops.Declarations.Models;

namespace Mlops.Pipeline.Gates;

/// <summary>What to gate: the rules, the environment's requirements, and the metrics to compare.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="CandidateName">What is being gated, for messages.</param>
/// <param name="Rules">The model file's gate rules.</param>
/// <param name="Candidate">The candidate's metrics.</param>
/// <param name="Environment">The target environment, if any: its requirements apply.</param>
/// <param name="Champion">The version the environment pins now and its metrics, if any.</param>
public sealed record GateInput(
    string Model,
    string CandidateName,
    IReadOnlyList<GateRule> Rules,
    MetricSet Candidate,
    EnvironmentSpec? Environment,
    (int Version, MetricSet Metrics)? Champion)
{
    /// <summary>The champion scored on the candidate's rows, or why not; null when nobody tried (no champion rule, or no champion).</summary>
    public ChampionPairing? Pairing { get; init; }
}

/// <summary>
/// Evaluates gate rules with MLflow's MetricThreshold semantics: every stated comparison must hold;
/// a metric that was not computed fails its rule; with no champion yet, champion rules pass and say so.
/// Change is measured in the metric's better direction, so <c>minAbsoluteChange: -0.01</c> on a
/// latency means "may be at most 0.01 slower". A champion rule also shows the paired comparison on the
/// same rows (<see cref="ChampionPairing"/>); with <c>confidence</c> it is judged on that comparison's interval.
/// </summary>
public static class GateEvaluator
{
    /// <summary>Evaluates every rule and requirement.</summary>
    public static GateReport Evaluate(GateInput input)
    {
        var results = new List<GateRuleResult>();
        foreach (var rule in input.Rules)
        {
            if (rule.Slice is null)
            {
                results.Add(EvaluateScope(rule, input, slice: null, value: null));
                continue;
            }

            if (!input.Candidate.Slices.TryGetValue(rule.Slice, out var values) || values.Count == 0)
            {
                results.Add(new GateRuleResult(rule, Describe(rule), $"{rule.Slice}=*", null, null, null, false,
                    $"no metrics per '{rule.Slice}' were computed; declare it in 'slices' and evaluate again"));
                continue;
            }

            if (rule.Threshold is not null || rule.Max is not null || rule.IsRelative)
            {
                foreach (var value in values.Keys.OrderBy(v => v, StringComparer.Ordinal))
                {
                    results.Add(EvaluateScope(rule, input, rule.Slice, value));
                }
            }

            if (rule.MaxGap is { } maxGap)
            {
                results.Add(SliceGapEvaluator.Evaluate(rule, rule.Slice, maxGap, values));
            }
        }

        return new GateReport(input.Model, input.CandidateName, input.Environment?.Name, input.Champion?.Version, results, Requirements(input, results));
    }

    private static GateRuleResult EvaluateScope(GateRule rule, GateInput input, string? slice, string? value) =>
        Judge(rule, input, slice, value) with { CandidateInterval = input.Candidate.GetInterval(rule.Metric, slice, value) };

    private static GateRuleResult Judge(GateRule rule, GateInput input, string? slice, string? value)
    {
        var scope = slice is null ? "overall" : $"{slice}={value}";
        var candidate = input.Candidate.Get(rule.Metric, slice, value);
        var description = Describe(rule);
        if (candidate is not { } c)
        {
            return new GateRuleResult(rule, description, scope, null, null, null, false, $"'{rule.Metric}' was not computed for {scope}");
        }

        var failures = new List<string>();
        if (rule.Threshold is { } threshold && c < threshold)
        {
            failures.Add($"{Format(c)} is below the threshold {Format(threshold)} by {Format(threshold - c)}");
        }

        if (rule.Max is { } max && c > max)
        {
            failures.Add($"{Format(c)} is above the maximum {Format(max)} by {Format(c - max)}");
        }

        if (!rule.IsRelative)
        {
            return new GateRuleResult(rule, description, scope, c, null, null, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures));
        }

        var championMetrics = input.Champion?.Metrics;
        var champion = championMetrics?.Get(rule.Metric, slice, value);
        if (input.Champion is null)
        {
            return new GateRuleResult(rule, description, scope, c, null, null, failures.Count == 0,
                failures.Count == 0 ? "no champion yet: the baseline comparison passes" : string.Join("; ", failures));
        }

        // Without a pairing attempt (a caller that compares tags only) a rule reports no paired result, unless it needs one.
        var paired = rule.Baseline == GateBaseline.Champion && (input.Pairing is not null || rule.Confidence is not null) ? Paired(rule, input.Pairing, slice) : null;
        if (rule.Confidence is not null)
        {
            return JudgePaired(rule, description, scope, c, paired!, failures);
        }

        if (champion is not { } baseline)
        {
            failures.Add($"the champion v{input.Champion.Value.Version} has no '{rule.Metric}' for {scope} to compare with");
            return new GateRuleResult(rule, description, scope, c, null, null, false, string.Join("; ", failures)) { Paired = paired };
        }

        var against = rule.Baseline == GateBaseline.Primary ? "primary" : "champion";
        // Change in the better direction: positive is an improvement whichever way the metric points.
        var sign = MetricDirection.GreaterIsBetter(rule.Metric) ? 1 : -1;
        var change = sign * (c - baseline);
        if (rule.MinAbsoluteChange is { } minAbsolute && change < minAbsolute)
        {
            failures.Add($"changed by {Format(change)} against the {against}'s {Format(baseline)}, less than the allowed {Format(minAbsolute)}");
        }

        if (rule.MinRelativeChange is { } minRelative)
        {
            var relative = baseline == 0 ? (change >= 0 ? 0 : double.NegativeInfinity) : change / Math.Abs(baseline);
            if (relative < minRelative)
            {
                failures.Add($"changed by {Percent(relative)} against the {against}'s {Format(baseline)}, less than the allowed {Percent(minRelative)}");
            }
        }

        return new GateRuleResult(rule, description, scope, c, baseline, c - baseline, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures)) { Paired = paired };
    }

    /// <summary>The paired comparison a champion rule shows: at the rule's confidence (else 95%), overall metrics only.</summary>
    private static PairedRuleResult Paired(GateRule rule, ChampionPairing? pairing, string? slice)
    {
        var level = rule.Confidence ?? Evaluation.MetricInterval.Confidence;
        if (slice is not null)
        {
            return new PairedRuleResult(level, null, null, null, "the paired comparison covers overall metrics; per slice value the tag's metrics are compared");
        }

        if (pairing is null)
        {
            return new PairedRuleResult(level, null, null, null, "the champion was not scored on the candidate's rows");
        }

        if (pairing.Comparison is not { } comparison)
        {
            return new PairedRuleResult(level, null, null, null, pairing.NotPaired);
        }

        if (!comparison.Metrics.TryGetValue(rule.Metric, out var metric) || metric.Interval(level) is not { } interval)
        {
            return new PairedRuleResult(level, null, null, null, $"'{rule.Metric}' is not a metric both models compute on each holdout row (latency and size are measured, not resampled)");
        }

        return new PairedRuleResult(level, metric, interval, metric.Verdict(level), null) { Rows = comparison.Rows };
    }

    /// <summary>
    /// A rule with <c>confidence</c>: non-inferiority on the paired interval. <c>minAbsoluteChange: m</c> holds when the lower
    /// bound of the difference's interval at that level is at least m; <c>minRelativeChange</c> likewise, relative to the
    /// champion's value; without a paired comparison the rule fails, saying why.
    /// </summary>
    private static GateRuleResult JudgePaired(GateRule rule, string description, string scope, double candidate, PairedRuleResult paired, List<string> failures)
    {
        if (paired.Metric is not { } metric || paired.Interval is not { } interval)
        {
            failures.Add($"not paired: {paired.NotPaired}. A rule with confidence judges the paired comparison; fix the cause, or remove confidence to compare with the tag's metrics");
            return new GateRuleResult(rule, description, scope, candidate, null, null, false, string.Join("; ", failures)) { Paired = paired };
        }

        var level = paired.Confidence.ToString("0.##%", CultureInfo.InvariantCulture);
        if (rule.MinAbsoluteChange is { } minAbsolute && interval.Low < minAbsolute)
        {
            failures.Add($"at {level} confidence the change against the champion on the same rows is only known to be at least {Format(interval.Low)} (paired interval {interval}), less than the allowed {Format(minAbsolute)}");
        }

        if (rule.MinRelativeChange is { } minRelative && (metric.RelativeInterval(paired.Confidence) is not { } relative || relative.Low < minRelative))
        {
            var low = metric.RelativeInterval(paired.Confidence)?.Low;
            failures.Add($"at {level} confidence the relative change against the champion on the same rows is only known to be at least {(low is { } l ? Percent(l) : "undefined")}, less than the allowed {Percent(minRelative)}");
        }

        return new GateRuleResult(rule, description, scope, candidate, metric.Champion, metric.Candidate - metric.Champion, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures))
        {
            Paired = paired,
        };
    }

    private static List<string> Requirements(GateInput input, IReadOnlyList<GateRuleResult> results)
    {
        var failures = new List<string>();
        if (input.Environment is null)
        {
            return failures;
        }

        foreach (var metric in input.Environment.Requires.Gates)
        {
            var rules = results.Where(r => r.Rule.Metric == metric).ToList();
            if (rules.Count == 0)
            {
                failures.Add($"environment '{input.Environment.Name}' requires a passing gate on '{metric}', but the model declares no rule on it; add one to its 'gate:'");
            }
            else if (rules.Any(r => !r.Passed))
            {
                failures.Add($"environment '{input.Environment.Name}' requires the gate on '{metric}' to pass, and it failed");
            }
        }

        return failures;
    }

    /// <summary>The rule in words.</summary>
    public static string Describe(GateRule rule)
    {
        var parts = new List<string>();
        if (rule.Threshold is { } threshold)
        {
            parts.Add($"{rule.Metric} >= {Format(threshold)}");
        }

        if (rule.Max is { } max)
        {
            parts.Add($"{rule.Metric} <= {Format(max)}");
        }

        if (rule.MaxGap is { } gap && parts.Count == 0 && !rule.IsRelative)
        {
            parts.Add(SliceGapEvaluator.Describe(rule, gap));
        }

        var baseline = rule.Baseline == GateBaseline.Primary ? "primary" : "champion";
        if (rule.MinAbsoluteChange is { } absolute)
        {
            parts.Add($"{rule.Metric} change vs {baseline} >= {Format(absolute)}");
        }

        if (rule.MinRelativeChange is { } relative)
        {
            parts.Add($"{rule.Metric} relative change vs {baseline} >= {Percent(relative)}");
        }

        var text = string.Join(" and ", parts);
        return rule.Confidence is { } confidence ? text + string.Create(CultureInfo.InvariantCulture, $" at {confidence:0.##%} confidence") : text;
    }

    internal static string Format(double value) =>
        Math.Abs(value) >= 1000 || value == Math.Round(value) ? value.ToString("0.##", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNegativeInfinity(value) ? "-inf" : value.ToString("+0.##%;-0.##%;0%", CultureInfo.InvariantCulture);
}
