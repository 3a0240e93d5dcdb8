using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Runtime.Serving;

/// <summary>One model version loaded from a verified bundle, warmed up and ready to score.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The registered version.</param>
/// <param name="Digest">The bundle's content address.</param>
/// <param name="Manifest">The bundle's manifest.</param>
/// <param name="Scorer">Scores rows.</param>
/// <param name="Schema">What a request row must look like.</param>
public sealed record LoadedModel(string Model, int Version, string Digest, BundleManifest Manifest, IScorer Scorer, InputSchema Schema)
{
    /// <summary>Gathers this version's concurrent single rows into batches; null when dynamic batching is off.</summary>
    public DynamicBatcher? Batcher { get; init; }

    /// <summary>The training data's reference sample, as drift compares it (one summary per input); null for a bundle packaged before bundles kept one (its drift is then not measured).</summary>
    public IReadOnlyList<Mlops.Runtime.Monitoring.Drift.ColumnValues>? Reference { get; init; }

    /// <summary>The bundle's reference profile (the holdout's features and the model's predictions for them); null when the bundle has none.</summary>
    public Mlops.Runtime.Monitoring.ReferenceProfile? Profile { get; init; }
}

/// <summary>What answers when the primary fails or is switched off.</summary>
/// <param name="Constant">A declared constant answer, or null.</param>
/// <param name="Model">Another loaded model, or null.</param>
public sealed record FallbackAnswer(Prediction? Constant, LoadedModel? Model);

/// <summary>A canary taking <see cref="Weight"/> percent of requests.</summary>
/// <param name="Model">The canary version.</param>
/// <param name="Weight">Percent of requests, 0 to 100.</param>
public sealed record CanaryRoute(LoadedModel Model, int Weight);

/// <summary>
/// One served model as the environment file pins it, immutable: a reconcile builds a new one and
/// swaps the whole snapshot, so a request sees one consistent set of versions.
/// </summary>
/// <param name="Name">The model's name.</param>
/// <param name="Enabled">False serves the fallback only.</param>
/// <param name="Primary">The pinned version, or null when none could be loaded yet.</param>
/// <param name="Canary">A canary, if any is pinned and loaded.</param>
/// <param name="Shadow">A shadow version, if any is pinned and loaded.</param>
/// <param name="Fallback">The fallback, if any.</param>
/// <param name="Entity">The feature set's entity key: canary routing is sticky per its value.</param>
/// <param name="Commit">The environment commit at which these versions were pinned.</param>
public sealed record ServedModel(
    string Name,
    bool Enabled,
    LoadedModel? Primary,
    CanaryRoute? Canary,
    LoadedModel? Shadow,
    FallbackAnswer? Fallback,
    string? Entity,
    string Commit)
{
    /// <summary>The input schema requests are checked against: the primary's, else the fallback model's.</summary>
    public InputSchema? Schema => (Primary ?? Fallback?.Model)?.Schema;

    /// <summary>Whether a request can be answered (a primary or a fallback is there).</summary>
    public bool IsReady => (Enabled && Primary is not null) || Fallback is not null;

    /// <summary>Every loaded version this entry holds.</summary>
    public IEnumerable<LoadedModel> Loaded()
    {
        if (Primary is not null)
        {
            yield return Primary;
        }

        if (Canary is not null)
        {
            yield return Canary.Model;
        }

        if (Shadow is not null)
        {
            yield return Shadow;
        }

        if (Fallback?.Model is not null)
        {
            yield return Fallback.Model;
        }
    }
}

/// <summary>Everything served at one moment: swapped as a whole behind one reference.</summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Commit">The environment commit last applied in full, or null before the first one.</param>
/// <param name="Models">Served models by name.</param>
/// <param name="Retained">Versions kept loaded after a swap (blue-green), until their time is up.</param>
public sealed record ServingSnapshot(
    string Environment,
    string? Commit,
    IReadOnlyDictionary<string, ServedModel> Models,
    IReadOnlyList<RetainedModel> Retained)
{
    /// <summary>The environment file's monitoring block as last read (windows, drift, alerts).</summary>
    public Mlops.Declarations.Environments.MonitoringSpec Monitoring { get; init; } = Mlops.Declarations.Environments.MonitoringSpec.Default;

    /// <summary>Each model's <c>description</c> from the declarations last read (models/NAME.yaml), for pages; a model without one is absent.</summary>
    public IReadOnlyDictionary<string, string> Descriptions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Nothing served yet.</summary>
    public static ServingSnapshot Empty(string environment) => new(environment, null, new Dictionary<string, ServedModel>(StringComparer.Ordinal), []);

    /// <summary>Finds a loaded version of a model: served, or retained.</summary>
    public LoadedModel? FindVersion(string model, int version) =>
        (Models.TryGetValue(model, out var served) ? served.Loaded().FirstOrDefault(l => l.Model == model && l.Version == version) : null)
        ?? Retained.FirstOrDefault(r => r.Model.Model == model && r.Model.Version == version)?.Model;
}

/// <summary>A version kept loaded after it stopped being served, so that a rollback to it is instant.</summary>
/// <param name="Model">The loaded version.</param>
/// <param name="Until">When it is dropped.</param>
public sealed record RetainedModel(LoadedModel Model, DateTimeOffset Until);
