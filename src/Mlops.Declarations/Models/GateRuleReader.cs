using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Models;

/// <summary>Reads a gate rule; shared by model gates and canary analysis.</summary>
internal static class GateRuleReader
{
    public static GateRule? Read(ObjectReader item)
    {
        var metric = item.String("metric");
        var rule = new GateRule(
            metric ?? string.Empty,
            item.Number("threshold"),
            item.Number("max"),
            item.Number("minAbsoluteChange"),
            item.Number("minRelativeChange"),
            item.String("baseline") == "primary" ? GateBaseline.Primary : GateBaseline.Champion,
            item.String("slice"))
        {
            MaxGap = item.Number("maxGap"),
            Confidence = item.Number("confidence"),
        };
        if (metric is null)
        {
            return null;
        }

        if (rule.MaxGap is not null && rule.Slice is null)
        {
            item.Context.Report(DiagnosticIds.GapRuleWithoutSlice, item.LocationOf("maxGap"),
                $"the rule on '{metric}' sets maxGap but names no slice, so there are no values to compare. Add 'slice:' with a declared slice, or remove maxGap.");
            return null;
        }

        if (rule.Threshold is null && rule.Max is null && rule.MaxGap is null && !rule.IsRelative)
        {
            item.Context.Report(DiagnosticIds.GateRuleWithoutComparison, item.Location,
                $"the rule on '{metric}' states no comparison, so it can never fail. Add threshold, max, maxGap, minAbsoluteChange or minRelativeChange.");
            return null;
        }

        if (rule.Confidence is { } confidence)
        {
            if (confidence <= 0.5 || confidence >= 1)
            {
                item.Context.Report(DiagnosticIds.InvalidValue, item.LocationOf("confidence"),
                    $"'confidence' is {confidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}, but an interval's level must lie strictly between 0.5 and 1. Use 0.95 (or 0.9 for a looser check).");
                return null;
            }

            if (!rule.IsRelative || rule.Baseline != GateBaseline.Champion)
            {
                item.Context.Report(DiagnosticIds.InvalidValue, item.LocationOf("confidence"),
                    $"the rule on '{metric}' sets confidence, which applies only to a comparison with the champion. Add minAbsoluteChange or minRelativeChange with baseline champion, or remove confidence.");
                return null;
            }
        }

        return rule;
    }
}
