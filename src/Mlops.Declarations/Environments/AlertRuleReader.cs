using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Environments;

/// <summary>
/// Reads one item of <c>monitoring.alerts</c> into an <see cref="AlertRule"/>: the grammar of <c>when</c>, <c>for</c> and
/// <c>notify</c> lives here once (docs/file-formats.md, "Alert rules"). The schema's patterns say the same in JSON Schema
/// for editors; this reader also checks what a pattern cannot (the direction of a comparison, ranges).
/// </summary>
internal static class AlertRuleReader
{
    /// <summary>The live metrics an alert can watch; those in <see cref="HigherIsWorse"/> alert when they rise.</summary>
    public static IReadOnlyList<string> LiveMetrics { get; } = ["accuracy", "auc", "f1", "logLoss", "rmse", "mae"];

    /// <summary>Metrics that alert when above their threshold; the other live metrics alert when below.</summary>
    private static readonly string[] HigherIsWorse = ["nullRate", "p99LatencyMs", "errorRate", "fallbackRate", "logLoss", "rmse", "mae"];

    private static readonly string[] Ratios = ["nullRate", "errorRate", "fallbackRate", "accuracy", "auc", "f1"];

    /// <summary>Every name a condition may start with.</summary>
    public static IReadOnlyList<string> ConditionNames { get; } = ["drift", "nullRate", "p99LatencyMs", "errorRate", "fallbackRate", .. LiveMetrics];

    /// <summary>The form of <c>when</c>, for the JSON Schema.</summary>
    public static string ConditionPattern { get; } =
        $@"drift|({string.Join("|", ConditionNames.Skip(1))})\s*(>=|<=|>|<)\s*(training\s*[-+]\s*)?[0-9]+(\.[0-9]+)?";

    /// <summary>The form of <c>for</c>, for the JSON Schema.</summary>
    public const string DurationPattern = "(0|[1-9][0-9]*)(s|m|h|d)";

    /// <summary>The form of <c>notify</c>, for the JSON Schema.</summary>
    public const string NotifyPattern = @"(https?|webhook)://[^\s/?#]+[^\s]*";

    private static readonly Regex s_comparison = new(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?<op>>=|<=|=>|=<|==|!=|=|>|<)?\s*(?<right>.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_training = new(@"^training\s*(?<sign>[-+])\s*(?<margin>.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_number = new(@"^[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant);
    private static readonly Regex s_duration = new($"^(?:{DurationPattern})$", RegexOptions.CultureInvariant);

    public static AlertRule? Read(ObjectReader item)
    {
        var when = item.String("when");
        var forText = item.String("for");
        var notifyText = item.String("notify");
        var runbook = item.String("runbook");

        var condition = when is null ? null : ParseCondition(when.Trim(), item.Context, item.LocationOf("when"));
        var duration = TimeSpan.Zero;
        var ok = condition is not null;
        if (forText is not null)
        {
            if (ParseDuration(forText.Trim()) is { } parsed)
            {
                duration = parsed;
            }
            else
            {
                item.Context.Report(DiagnosticIds.AlertDurationInvalid, item.LocationOf("for"),
                    $"'for' is '{forText}', which is not a duration. Write a whole number and a unit, s, m, h or d: '5m' waits five minutes of breach before firing, '0s' fires at once.");
                ok = false;
            }
        }

        Uri? notify = null;
        if (notifyText is not null)
        {
            notify = ParseNotify(notifyText.Trim());
            if (notify is null)
            {
                item.Context.Report(DiagnosticIds.AlertNotifyInvalid, item.LocationOf("notify"),
                    $"'notify' is '{notifyText}', which is not a webhook address. Write an absolute http:// or https:// URL with a host, such as 'https://alerts.example.com/hooks/mlops' (webhook://HOST/PATH means https://HOST/PATH).");
                ok = false;
            }
        }

        return ok ? new AlertRule(when!, condition!, duration, notify, runbook) : null;
    }

    /// <summary>Reads <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c>; null when the text is not such a duration.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        if (!s_duration.IsMatch(text) || !int.TryParse(text.Substring(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return text[text.Length - 1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => amount > 10_000_000 ? null : TimeSpan.FromDays(amount),
        };
    }

    /// <summary>An absolute http, https or webhook URL with a host; null otherwise.</summary>
    public static Uri? ParseNotify(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https" or "webhook"
        && uri.Host.Length > 0
        && text.IndexOfAny([' ', '\t']) < 0
            ? uri
            : null;

    /// <summary>Parses a condition, reporting what is wrong at <paramref name="location"/>; null when it is not valid.</summary>
    public static AlertCondition? ParseCondition(string text, ParseContext context, SourceLocation location)
    {
        var match = s_comparison.Match(text);
        var name = match.Success ? match.Groups["name"].Value : text;
        var known = ConditionNames.FirstOrDefault(n => n == name);
        if (known is null)
        {
            var suggestion = Suggestions.Nearest(name, ConditionNames);
            context.Report(DiagnosticIds.AlertConditionUnknown, location,
                $"'when' is '{text}', which does not name something an alert can watch{(suggestion is null ? "" : $"; did you mean '{suggestion}'?")}. "
                + "Write 'drift', or a comparison of nullRate, p99LatencyMs, errorRate, fallbackRate or a live metric (accuracy, auc, f1, logLoss, rmse, mae) with a number, such as 'p99LatencyMs > 20' or 'auc < training - 0.05'.");
            return null;
        }

        var op = match.Groups["op"].Value;
        var right = match.Groups["right"].Value.Trim();
        if (known == "drift")
        {
            if (op.Length > 0 || right.Length > 0)
            {
                context.Report(DiagnosticIds.AlertConditionUnknown, location,
                    $"'when' is '{text}', but drift takes no comparison: the data set drifts when the share of drifted features reaches monitoring.drift.driftShare. Write 'when: drift' and set the thresholds under monitoring.drift.");
                return null;
            }

            return new AlertCondition(AlertConditionKind.Drift, known, null, null, null);
        }

        var above = Array.IndexOf(HigherIsWorse, known) >= 0;
        var expected = above ? ">" : "<";
        var parsedOperator = op switch
        {
            ">" => AlertOperator.GreaterThan,
            ">=" => AlertOperator.GreaterThanOrEqual,
            "<" => AlertOperator.LessThan,
            "<=" => AlertOperator.LessThanOrEqual,
            _ => (AlertOperator?)null,
        };
        if (parsedOperator is null || right.Length == 0)
        {
            context.Report(DiagnosticIds.AlertConditionUnknown, location,
                op.Length == 0 || right.Length == 0
                    ? $"'when' is '{text}', which names '{known}' but compares it with nothing. Write a comparison such as '{known} {expected} {Example(known)}'."
                    : $"'when' is '{text}', whose comparison '{op}' is not one of >, >=, <, <=. Write '{known} {expected} {Example(known)}'.");
            return null;
        }

        var isAbove = parsedOperator is AlertOperator.GreaterThan or AlertOperator.GreaterThanOrEqual;
        if (isAbove != above)
        {
            context.Report(DiagnosticIds.AlertConditionUnknown, location,
                $"'when' is '{text}', but {known} is {(above ? "worse when higher" : "better when higher")}, so an alert on it fires when it {(above ? "rises above" : "falls below")} a threshold. Write '{known} {expected} {Example(known)}'.");
            return null;
        }

        var kind = known switch
        {
            "nullRate" => AlertConditionKind.NullRate,
            "p99LatencyMs" => AlertConditionKind.P99LatencyMs,
            "errorRate" => AlertConditionKind.ErrorRate,
            "fallbackRate" => AlertConditionKind.FallbackRate,
            _ => AlertConditionKind.LiveMetric,
        };

        var training = s_training.Match(right);
        if (right.StartsWith("training", StringComparison.Ordinal) || training.Success)
        {
            if (kind != AlertConditionKind.LiveMetric)
            {
                context.Report(DiagnosticIds.AlertConditionUnknown, location,
                    $"'when' is '{text}', but only a live metric (accuracy, auc, f1, logLoss, rmse, mae) has a training figure to compare with. Compare {known} with a number: '{known} {expected} {Example(known)}'.");
                return null;
            }

            var sign = above ? "+" : "-";
            if (!training.Success || training.Groups["sign"].Value != sign)
            {
                context.Report(DiagnosticIds.AlertConditionUnknown, location,
                    $"'when' is '{text}'; compare {known} with its training figure {(above ? "plus" : "minus")} the margin it may lose: '{known} {expected} training {sign} 0.05'.");
                return null;
            }

            var marginText = training.Groups["margin"].Value.Trim();
            if (Number(marginText) is not { } margin)
            {
                context.Report(DiagnosticIds.AlertThresholdInvalid, location,
                    $"'when' is '{text}', whose margin '{marginText}' is not a number. Write the margin as a plain decimal, such as '{known} {expected} training {sign} 0.05'.");
                return null;
            }

            return new AlertCondition(kind, known, parsedOperator, null, margin);
        }

        if (Number(right) is not { } threshold)
        {
            context.Report(DiagnosticIds.AlertThresholdInvalid, location,
                $"'when' is '{text}', whose threshold '{right}' is not a number. Write a plain decimal, such as '{known} {expected} {Example(known)}'{(kind == AlertConditionKind.LiveMetric ? $", or compare with the training figure: '{known} {expected} training {(above ? "+" : "-")} 0.05'" : "")}.");
            return null;
        }

        if (Array.IndexOf(Ratios, known) >= 0 && threshold > 1)
        {
            context.Report(DiagnosticIds.AlertThresholdInvalid, location,
                $"'when' is '{text}', but {known} is a ratio from 0 to 1, so {right} can never be {(above ? "passed" : "reached")}. Write the share as a fraction: 5% is 0.05.");
            return null;
        }

        return new AlertCondition(kind, known, parsedOperator, threshold, null);
    }

    private static double? Number(string text) =>
        s_number.IsMatch(text) && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && !double.IsInfinity(value) ? value : null;

    private static string Example(string name) => name switch
    {
        "nullRate" => "0.2",
        "p99LatencyMs" => "20",
        "errorRate" => "0.01",
        "fallbackRate" => "0.05",
        "logLoss" => "0.5",
        "rmse" or "mae" => "10",
        _ => "0.7",
    };
}
