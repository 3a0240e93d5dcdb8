using Mlops.Declarations.Models;

namespace Mlops.Pipeline.Gates;

/// <summary>One end of a slice gap: a slice value and the metric there.</summary>
/// <param name="Value">The slice value, for example "Month-to-month".</param>
/// <param name="Metric">The metric for that value.</param>
public sealed record SliceGapEnd(string Value, double Metric);

/// <summary>The spread of a metric across a slice's values.</summary>
/// <param name="Best">The value the model serves best (highest, or lowest for a loss or an error).</param>
/// <param name="Worst">The value the model serves worst.</param>
/// <param name="Undefined">Values whose metric is undefined (recall with no positive row), left out of the gap.</param>
public sealed record SliceGap(SliceGapEnd Best, SliceGapEnd Worst, IReadOnlyList<string> Undefined);

/// <summary>
/// Evaluates <c>maxGap</c>: the gap is the largest minus the smallest value of the metric across the
/// slice's values (Fairlearn's <c>MetricFrame.difference()</c>, between groups), over every value that
/// has holdout rows and on which the metric is defined. Fewer than two such values fail the rule: a gap
/// that cannot be measured does not pass, as a missing metric does not.
/// </summary>
internal static class SliceGapEvaluator
{
    public static GateRuleResult Evaluate(GateRule rule, string slice, double maxGap,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> values)
    {
        var description = Describe(rule, maxGap);
        var scope = $"{slice}=*";
        var measured = values
            .Where(v => v.Value.ContainsKey(rule.Metric))
            .Select(v => new SliceGapEnd(v.Key, v.Value[rule.Metric]))
            .OrderBy(e => e.Value, StringComparer.Ordinal)
            .ToList();
        var undefined = values.Keys.Where(v => !values[v].ContainsKey(rule.Metric)).Order(StringComparer.Ordinal).ToList();
        var leftOut = undefined.Count == 0 ? "" : $"; left out, '{rule.Metric}' undefined: {string.Join(", ", undefined)}";
        if (measured.Count < 2)
        {
            return new GateRuleResult(rule, description, scope, null, null, null, false,
                $"'{rule.Metric}' is defined for {measured.Count} value(s) of '{slice}', and a gap needs two{leftOut}");
        }

        // Ties keep the first value in ordinal order, so the report names the same values run after run.
        var high = measured.OrderByDescending(e => e.Metric).First();
        var low = measured.OrderBy(e => e.Metric).First();
        var greaterIsBetter = MetricDirection.GreaterIsBetter(rule.Metric);
        var gap = new SliceGap(greaterIsBetter ? high : low, greaterIsBetter ? low : high, undefined);
        var size = high.Metric - low.Metric;
        var ends = $"best {slice}={gap.Best.Value} ({GateEvaluator.Format(gap.Best.Metric)}), worst {slice}={gap.Worst.Value} ({GateEvaluator.Format(gap.Worst.Metric)})";
        var passed = size <= maxGap;
        var reason = passed
            ? $"{ends}{leftOut}"
            : $"gap {GateEvaluator.Format(size)} is above the maximum {GateEvaluator.Format(maxGap)} by {GateEvaluator.Format(size - maxGap)}: {ends}{leftOut}";
        return new GateRuleResult(rule, description, scope, size, null, null, passed, reason) { Gap = gap };
    }

    /// <summary>The gap rule in words, for example "recall gap across contract &lt;= 0.1".</summary>
    public static string Describe(GateRule rule, double maxGap) => $"{rule.Metric} gap across {rule.Slice} <= {GateEvaluator.Format(maxGap)}";
}
