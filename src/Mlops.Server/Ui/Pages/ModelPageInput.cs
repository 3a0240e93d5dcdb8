using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Ui.Pages;

/// <summary>What the model page shows of one served version: read from the model host and the monitor, so the page itself reads nothing.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version shown.</param>
/// <param name="Role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
/// <param name="Description">The model's <c>description</c> from its declaration, if any.</param>
/// <param name="Features">The version's features, in its schema's order.</param>
/// <param name="Reference">The bundle's reference sample as drift reads it; null when the bundle has none.</param>
/// <param name="Profile">The bundle's reference profile (holdout features and predictions); null when it has none.</param>
/// <param name="History">The monitor's windows of the version; null when the version is not watched (yet).</param>
/// <param name="Live">The live figures of the open window (<see cref="VersionMonitor.Figures"/>): live quality metrics and <c>feedback</c>.</param>
/// <param name="Training">The training (holdout) metrics from the bundle.</param>
/// <param name="Served">Every version of the model that is served now, to link to.</param>
public sealed record ModelPageInput(
    string Model,
    int Version,
    string Role,
    string? Description,
    IReadOnlyList<ModelPageFeature> Features,
    IReadOnlyList<ColumnValues>? Reference,
    ReferenceProfile? Profile,
    VersionHistory? History,
    IReadOnlyDictionary<string, double> Live,
    IReadOnlyDictionary<string, double> Training,
    IReadOnlyList<ServedVersion> Served)
{
    /// <summary>The page's input for a served version.</summary>
    /// <param name="model">The served version.</param>
    /// <param name="role">Its role.</param>
    /// <param name="description">The model's description.</param>
    /// <param name="history">The monitor's windows of it.</param>
    /// <param name="latest">The monitor's latest figures of it, if any.</param>
    /// <param name="served">Every served version of the model.</param>
    public static ModelPageInput Of(LoadedModel model, string role, string? description, VersionHistory? history, VersionMonitor? latest, IReadOnlyList<ServedVersion> served)
    {
        ArgumentNullException.ThrowIfNull(model);
        var declared = model.Manifest.Inputs.ToDictionary(i => i.Name, i => i.Values, StringComparer.Ordinal);
        var features = model.Schema.Inputs
            .Select(i => new ModelPageFeature(i.Name, i.Type, declared.GetValueOrDefault(i.Name) ?? [], i.Sensitivity))
            .ToList();
        return new ModelPageInput(model.Model, model.Version, role, description, features, model.Reference, model.Profile, history,
            latest?.Figures ?? new Dictionary<string, double>(), model.Manifest.Metrics.Overall, served);
    }
}

/// <summary>One feature as the page needs it.</summary>
/// <param name="Name">The feature.</param>
/// <param name="Type">Its type.</param>
/// <param name="Declared">Its declared categories (category features).</param>
/// <param name="Sensitive">How personal its values are: any value but <see cref="FeatureSensitivity.None"/> keeps them off the page.</param>
public sealed record ModelPageFeature(string Name, FeatureType Type, IReadOnlyList<string> Declared, FeatureSensitivity Sensitive);

/// <summary>A served version of the model, for the page's links.</summary>
/// <param name="Version">The version.</param>
/// <param name="Role">Its role.</param>
public sealed record ServedVersion(int Version, string Role);
