using Mlops.Declarations.FeatureSets;

namespace Mlops.Pipeline.Registry;

/// <summary>One metric of a registered version, as its tag records it.</summary>
/// <param name="Name">The metric: <c>auc</c>, or a slice metric such as <c>recall[contract=One year]</c>.</param>
/// <param name="Value">Its value on the holdout set.</param>
public sealed record ModelMetric(string Name, double Value)
{
    /// <summary>Its 95% interval on the holdout set, or null (a version registered before intervals, latency, size).</summary>
    public Evaluation.MetricInterval? Interval { get; init; }
}

/// <summary>A registered version of a model: the annotated git tag <c>MODEL@vN</c>, read back.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The version, 1 or more.</param>
/// <param name="BundleDigest">The content address of the bundle in the store.</param>
/// <param name="FeatureSet">The feature set and version it was trained on, when recorded.</param>
/// <param name="FeatureSetDigest">That feature set's schema digest at training, when recorded.</param>
/// <param name="RunId">The tracked training run, when recorded.</param>
/// <param name="Metrics">The metrics summary, in the order written.</param>
/// <param name="Commit">The full sha of the commit whose declarations produced the version (the tag's target).</param>
/// <param name="Date">When it was registered (the tagger's date).</param>
/// <param name="Tagger">Who registered it, as <c>Name &lt;email&gt;</c>.</param>
public sealed record ModelVersion(
    string Model,
    int Version,
    string BundleDigest,
    FeatureSetReference? FeatureSet,
    string? FeatureSetDigest,
    string? RunId,
    IReadOnlyList<ModelMetric> Metrics,
    string Commit,
    DateTimeOffset Date,
    string Tagger)
{
    /// <summary>The tag's name, <c>churn@v8</c>.</summary>
    public string Tag => ModelTag.Name(Model, Version);

    /// <summary>The value of a metric, or null when the tag does not record it.</summary>
    public double? Metric(string name) => Metrics.FirstOrDefault(m => m.Name == name)?.Value;
}

/// <summary>What to register: the outcome of packaging one model.</summary>
/// <param name="Model">The model's name (<c>models/NAME.yaml</c>).</param>
/// <param name="Commit">The commit whose declarations produced the bundle: a sha, branch, tag or <c>HEAD</c>.</param>
/// <param name="BundleDigest">The bundle's content address, <c>sha256:</c> and 64 hex digits.</param>
public sealed record ModelRegistration(string Model, string Commit, string BundleDigest)
{
    /// <summary>The feature set and version the model was trained on.</summary>
    public FeatureSetReference? FeatureSet { get; init; }

    /// <summary>That feature set's schema digest (<see cref="Mlops.Declarations.FeatureSets.FeatureSet.SchemaDigest"/>).</summary>
    public string? FeatureSetDigest { get; init; }

    /// <summary>The tracked training run.</summary>
    public string? RunId { get; init; }

    /// <summary>The metrics summary to record; the default is none.</summary>
    public IReadOnlyList<ModelMetric> Metrics { get; init; } = [];
}

/// <summary>The outcome of <see cref="ModelRegistry.Register"/>.</summary>
/// <param name="Version">The registered version.</param>
/// <param name="Created">False when the same bundle was already registered and that version is returned instead.</param>
public sealed record RegistrationResult(ModelVersion Version, bool Created);
