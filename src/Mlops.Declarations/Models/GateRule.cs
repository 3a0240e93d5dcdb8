namespace Mlops.Declarations.Models;

/// <summary>
/// A metric compared with an absolute bound or with a baseline model. Semantics follow MLflow's
/// MetricThreshold: every stated comparison must hold; a missing metric fails the rule.
/// </summary>
/// <param name="Metric">The metric's name.</param>
/// <param name="Threshold">The metric must be at least this.</param>
/// <param name="Max">The metric must be at most this.</param>
/// <param name="MinAbsoluteChange">Smallest allowed change against the baseline.</param>
/// <param name="MinRelativeChange">Smallest allowed relative change against the baseline.</param>
/// <param name="Baseline">What the change is measured against.</param>
/// <param name="Slice">When set, the rule applies to every value of this slice (and <see cref="MaxGap"/> across them).</param>
public sealed record GateRule(
    string Metric,
    double? Threshold,
    double? Max,
    double? MinAbsoluteChange,
    double? MinRelativeChange,
    GateBaseline Baseline,
    string? Slice)
{
    /// <summary>
    /// With <see cref="Slice"/>: the most the metric may differ between the slice's best and worst values
    /// (max minus min across values); null when the rule sets no gap.
    /// </summary>
    public double? MaxGap { get; init; }

    /// <summary>
    /// With <see cref="MinAbsoluteChange"/> or <see cref="MinRelativeChange"/> against the champion: the level (between 0.5
    /// and 1, exclusive) of the paired interval of the difference candidate minus champion whose lower bound must reach
    /// the stated change; null judges the point difference.
    /// </summary>
    public double? Confidence { get; init; }

    /// <summary>True when the rule compares with a baseline model.</summary>
    public bool IsRelative => MinAbsoluteChange is not null || MinRelativeChange is not null;
}

/// <summary>The model a relative gate rule compares with.</summary>
public enum GateBaseline
{
    /// <summary>The version the target environment pins now.</summary>
    Champion,

    /// <summary>For canary analysis: the primary version serving beside the canary.</summary>
    Primary,
}
