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
    (int Version, MetricSet Metrics)? Champion);

/// <summary>
/// Evaluates gate rules with MLflow's MetricThreshold semantics: every stated comparison must hold;
/// a metric that was not computed fails its rule; with no champion yet, champion rules pass and say so.
/// Change is measured in the metric's better direction, so <c>minAbsoluteChange: -0.01</c> on a
/// latency means "may be at most 0.01 slower".
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

        if (champion is not { } baseline)
        {
            failures.Add($"the champion v{input.Champion.Value.Version} has no '{rule.Metric}' for {scope} to compare with");
            return new GateRuleResult(rule, description, scope, c, null, null, false, string.Join("; ", failures));
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

        return new GateRuleResult(rule, description, scope, c, baseline, c - baseline, failures.Count == 0, failures.Count == 0 ? null : string.Join("; ", failures));
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

        return string.Join(" and ", parts);
    }

    internal static string Format(double value) =>
        Math.Abs(value) >= 1000 || value == Math.Round(value) ? value.ToString("0.##", CultureInfo.InvariantCulture) : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNegativeInfinity(value) ? "-inf" : value.ToString("+0.##%;-0.##%;0%", CultureInfo.InvariantCulture);
}
