using System;

namespace Mlops.Declarations.Environments;

/// <summary>An alert rule of <c>monitoring.alerts</c>, parsed once: what is watched, for how long, who is told, what to read.</summary>
/// <param name="When">The condition as written, for example <c>p99LatencyMs &gt; 20</c>.</param>
/// <param name="Condition">The condition, typed.</param>
/// <param name="For">How long the condition must hold before the alert fires; zero fires at the first breach.</param>
/// <param name="Notify">The webhook told when the alert fires and resolves (<c>http</c>, <c>https</c> or <c>webhook</c>, which means <c>https</c>); null logs only.</param>
/// <param name="Runbook">A repository path (checked by <c>mlops validate</c>) or an http(s) URL that says what to do.</param>
public sealed record AlertRule(string When, AlertCondition Condition, TimeSpan For, Uri? Notify, string? Runbook)
{
    /// <summary>The rule's stable identifier, its condition in canonical form (<c>drift</c>, <c>p99LatencyMs &gt; 20</c>, <c>auc &lt; training - 0.05</c>): the <c>rule</c> label of metrics and alerts.</summary>
    public string Id => Condition.ToString();
}

/// <summary>What an alert watches.</summary>
public enum AlertConditionKind
{
    /// <summary>The data set drifted against the training reference (<c>drift</c>).</summary>
    Drift,

    /// <summary>The share of missing values of any feature (<c>nullRate &gt; 0.2</c>), 0 to 1.</summary>
    NullRate,

    /// <summary>The 99th percentile of request latency in milliseconds (<c>p99LatencyMs &gt; 20</c>).</summary>
    P99LatencyMs,

    /// <summary>Failed requests over requests answered (<c>errorRate &gt; 0.01</c>), 0 to 1.</summary>
    ErrorRate,

    /// <summary>Requests answered by the fallback over requests answered (<c>fallbackRate &gt; 0.05</c>), 0 to 1.</summary>
    FallbackRate,

    /// <summary>A quality metric measured on live feedback (<c>auc &lt; 0.7</c>, <c>auc &lt; training - 0.05</c>).</summary>
    LiveMetric,
}

/// <summary>How the observed value is compared with the threshold; the alert fires when the comparison holds.</summary>
public enum AlertOperator
{
    /// <summary><c>&gt;</c>.</summary>
    GreaterThan,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterThanOrEqual,

    /// <summary><c>&lt;</c>.</summary>
    LessThan,

    /// <summary><c>&lt;=</c>.</summary>
    LessThanOrEqual,
}

/// <summary>
/// A typed alert condition. <see cref="AlertConditionKind.Drift"/> has no operator or threshold. Every other kind compares the
/// observed value with <see cref="Threshold"/>; a live metric may instead be compared with its training figure moved by
/// <see cref="TrainingMargin"/> (against the model: <c>auc &lt; training - 0.05</c>, <c>logLoss &gt; training + 0.05</c>).
/// </summary>
/// <param name="Kind">What is watched.</param>
/// <param name="Metric">The name as written: <c>drift</c>, <c>nullRate</c>, <c>p99LatencyMs</c>, <c>errorRate</c>, <c>fallbackRate</c>, or a live metric (<c>accuracy</c>, <c>auc</c>, <c>f1</c>, <c>logLoss</c>, <c>rmse</c>, <c>mae</c>).</param>
/// <param name="Operator">The comparison; null for drift.</param>
/// <param name="Threshold">The fixed threshold; null for drift and for a comparison with the training figure.</param>
/// <param name="TrainingMargin">For <c>training - m</c> or <c>training + m</c>: m, zero or more; null otherwise.</param>
public sealed record AlertCondition(AlertConditionKind Kind, string Metric, AlertOperator? Operator, double? Threshold, double? TrainingMargin)
{
    /// <summary>True when the threshold is the model's training figure moved by <see cref="TrainingMargin"/>.</summary>
    public bool AgainstTraining => TrainingMargin is not null;

    /// <summary>The threshold for a value observed on a version whose training figure is <paramref name="training"/>; null when the rule needs the training figure and none is known.</summary>
    /// <param name="training">The version's training figure of <see cref="Metric"/>, if known.</param>
    /// <remarks>Drift is observed as 1 (the data set drifted) or 0, so its threshold is 1.</remarks>
    public double? ThresholdFor(double? training) => Kind == AlertConditionKind.Drift
        ? 1
        : TrainingMargin is { } margin
            ? training is { } t ? (IsBreachedAbove ? t + margin : t - margin) : null
            : Threshold;

    /// <summary>True when a breach is a value above the threshold (rates, latency, loss and errors); false when it is a value below (accuracy, auc, f1).</summary>
    public bool IsBreachedAbove => Operator is AlertOperator.GreaterThan or AlertOperator.GreaterThanOrEqual || Kind == AlertConditionKind.Drift;

    /// <summary>Whether <paramref name="value"/> breaches <paramref name="threshold"/>.</summary>
    /// <param name="value">The observed value.</param>
    /// <param name="threshold">The threshold from <see cref="ThresholdFor"/>.</param>
    public bool IsBreach(double value, double threshold) => Operator switch
    {
        AlertOperator.GreaterThan => value > threshold,
        AlertOperator.GreaterThanOrEqual => value >= threshold,
        AlertOperator.LessThan => value < threshold,
        AlertOperator.LessThanOrEqual => value <= threshold,
        _ => value >= threshold,
    };

    /// <summary>The operator as written: <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>; empty for drift.</summary>
    public string OperatorText => Operator switch
    {
        AlertOperator.GreaterThan => ">",
        AlertOperator.GreaterThanOrEqual => ">=",
        AlertOperator.LessThan => "<",
        AlertOperator.LessThanOrEqual => "<=",
        _ => "",
    };

    /// <summary>The canonical text: <c>drift</c>, <c>p99LatencyMs &gt; 20</c>, <c>auc &lt; training - 0.05</c>.</summary>
    public override string ToString()
    {
        if (Kind == AlertConditionKind.Drift)
        {
            return Metric;
        }

        var right = TrainingMargin is { } margin
            ? $"training {(IsBreachedAbove ? "+" : "-")} {Format(margin)}"
            : Format(Threshold ?? 0);
        return $"{Metric} {OperatorText} {right}";
    }

    private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
