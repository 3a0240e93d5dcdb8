using System;
using System.Collections.Generic;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Environments;

/// <summary>An environment declaration: <c>environments/NAME.yaml</c>. Its reviewed diff is the deployment approval.</summary>
/// <param name="Name">The environment's name.</param>
/// <param name="Requires">What a version needs before promotion here.</param>
/// <param name="Models">The models served, each pinned to a version and bundle digest.</param>
/// <param name="Monitoring">How the served models are watched.</param>
/// <param name="Description">Free text for people.</param>
public sealed record EnvironmentSpec(
    string Name,
    PromotionRequirements Requires,
    IReadOnlyList<PinnedModel> Models,
    MonitoringSpec Monitoring,
    string? Description);

/// <summary>What a version needs before it can be promoted to an environment.</summary>
/// <param name="PromotedFrom">An environment it must have been promoted to first, if any.</param>
/// <param name="Gates">Metrics whose gate rules must have passed.</param>
public sealed record PromotionRequirements(string? PromotedFrom, IReadOnlyList<string> Gates)
{
    /// <summary>No requirements.</summary>
    public static PromotionRequirements None { get; } = new(null, []);
}

/// <summary>One served model.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The registered version.</param>
/// <param name="Digest">The bundle's content address.</param>
/// <param name="FeatureSet">The feature set the version was trained on, written by promote.</param>
/// <param name="FeatureSetDigest">That feature set's schema digest at training, written by promote.</param>
/// <param name="Enabled">False switches the model off and serves its fallback.</param>
/// <param name="Canary">A new version taking a share of traffic.</param>
/// <param name="Shadow">A version scored and logged, never returned.</param>
/// <param name="Fallback">What answers when the model fails or is off.</param>
public sealed record PinnedModel(
    string Model,
    int Version,
    string Digest,
    FeatureSetReference? FeatureSet,
    string? FeatureSetDigest,
    bool Enabled,
    CanarySpec? Canary,
    VersionPin? Shadow,
    FallbackSpec? Fallback);

/// <summary>A registered version and its bundle.</summary>
/// <param name="Version">The registered version.</param>
/// <param name="Digest">The bundle's content address.</param>
public sealed record VersionPin(int Version, string Digest);

/// <summary>A canary: a new version taking <see cref="Weight"/> percent of requests.</summary>
/// <param name="Version">The canary's version.</param>
/// <param name="Digest">Its bundle's content address.</param>
/// <param name="Weight">Percent of requests, 0 to 100.</param>
/// <param name="Analysis">Rules it must keep to be completed.</param>
public sealed record CanarySpec(int Version, string Digest, int Weight, IReadOnlyList<GateRule> Analysis);

/// <summary>What answers when a model fails or is switched off: a constant, or another model.</summary>
/// <param name="Constant">A fixed answer by output name.</param>
/// <param name="Model">Another registered model.</param>
/// <param name="Version">That model's version.</param>
/// <param name="Digest">That version's bundle digest; when absent, the model must be pinned in the same environment file, whose entry gives it.</param>
public sealed record FallbackSpec(IReadOnlyDictionary<string, ScalarValue>? Constant, string? Model, int? Version, string? Digest = null);

/// <summary>How served models are watched.</summary>
/// <param name="Window">The statistics window.</param>
/// <param name="Drift">Drift detection, if any.</param>
/// <param name="Alerts">Alert rules.</param>
public sealed record MonitoringSpec(TimeSpan Window, DriftSpec? Drift, IReadOnlyList<AlertRule> Alerts)
{
    /// <summary>One-hour windows, no drift checks, no alerts.</summary>
    public static MonitoringSpec Default { get; } = new(TimeSpan.FromHours(1), null, []);
}

/// <summary>Feature drift against the training reference.</summary>
/// <param name="Method">The statistic; <c>auto</c> picks by feature type and sample size.</param>
/// <param name="Threshold">A feature drifts when its statistic passes this.</param>
/// <param name="DriftShare">The data set drifts when this share of features drift.</param>
public sealed record DriftSpec(string Method, double Threshold, double DriftShare);
