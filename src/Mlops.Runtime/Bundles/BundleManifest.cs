using System.Text.Json.Serialization;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;

namespace Mlops.Runtime.Bundles;

/// <summary>
/// What a bundle's model is: everything needed to serve it and to trace it to its inputs. It holds
/// only what the same inputs reproduce exactly; measurements taken at a moment (latency, the gate
/// against the champion of the day, the run id) live in the registry tag and the tracking database,
/// so that the same inputs give the same bundle digest.
/// </summary>
/// <param name="Format">The bundle format version.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Task">The task, written as in the model file (for example binary-classification).</param>
/// <param name="ModelFile">The entry holding the model.</param>
/// <param name="ModelFormat">How the model entry is stored, written <c>mlnet</c> or <c>onnx</c>.</param>
/// <param name="ModelDigest">The sha256 of the model entry.</param>
/// <param name="FeatureSet">The feature set the model was trained on.</param>
/// <param name="Inputs">The input schema, one entry per feature, in order.</param>
/// <param name="Label">The label column and positive class.</param>
/// <param name="Trainer">The trainer, seed and effective options.</param>
/// <param name="Lineage">The inputs that determined the model.</param>
/// <param name="Metrics">Holdout quality metrics, overall and per slice value (no timings).</param>
public sealed record BundleManifest(
    int Format,
    string Model,
    [property: JsonConverter(typeof(ManifestNames.TaskConverter))] ModelTask Task,
    string ModelFile,
    [property: JsonConverter(typeof(ManifestNames.FormatConverter))] ModelFormat ModelFormat,
    string ModelDigest,
    BundleFeatureSet FeatureSet,
    IReadOnlyList<BundleInput> Inputs,
    BundleLabel Label,
    BundleTrainer Trainer,
    BundleLineage Lineage,
    BundleMetrics Metrics)
{
    /// <summary>The format this code writes and reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>
    /// The ONNX export of an ML.NET model, carried next to it, and the check it passed at packaging;
    /// null when the bundle has none (the model did not convert, it is ONNX already, or the bundle
    /// was written before exports), and then left out of the manifest.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BundleOnnx? Onnx { get; init; }
}

/// <summary>The ONNX export an ML.NET bundle carries (docs/packaging.md, "ONNX export").</summary>
/// <param name="File">The entry holding the ONNX graph (<c>model.onnx</c>).</param>
/// <param name="Digest">The sha256 of that entry, checked on every read.</param>
/// <param name="Converter">The converter that wrote it (Microsoft.ML.OnnxConverter and its version).</param>
/// <param name="Output">The graph's output serving reads: the probability (binary classification) or the value (regression).</param>
/// <param name="RowsCompared">Holdout rows scored by both ML.NET and ONNX Runtime at packaging.</param>
/// <param name="MaxAbsoluteDifference">The largest absolute difference between their answers over those rows.</param>
/// <param name="Tolerance">The largest difference packaging accepted.</param>
public sealed record BundleOnnx(string File, string Digest, string Converter, string Output, int RowsCompared, double MaxAbsoluteDifference, double Tolerance);

/// <summary>The feature set a model was trained on.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Version">Its version.</param>
/// <param name="SchemaDigest">Its schema digest when trained.</param>
public sealed record BundleFeatureSet(string Name, int Version, string SchemaDigest);

/// <summary>How a bundle's model entry is stored.</summary>
public enum ModelFormat
{
    /// <summary>An ML.NET model zip (<c>mlnet</c>).</summary>
    MlNet,

    /// <summary>An ONNX graph (<c>onnx</c>).</summary>
    Onnx,
}

/// <summary>One input feature, with the rules a value of it must meet when served.</summary>
/// <param name="Name">The feature's name.</param>
/// <param name="Type">Its type, written float, int, bool, category or text.</param>
/// <param name="Nullable">Whether it may be missing.</param>
/// <param name="Values">The categories, for category features.</param>
public sealed record BundleInput(
    string Name,
    [property: JsonConverter(typeof(ManifestNames.FeatureTypeConverter))] FeatureType Type,
    bool Nullable,
    IReadOnlyList<string> Values)
{
    /// <summary>The declared minimum (numbers), if any.</summary>
    public double? Min { get; init; }

    /// <summary>The declared maximum (numbers), if any.</summary>
    public double? Max { get; init; }

    /// <summary>What serving does with an undeclared category; null in bundles written before it was recorded (serving then reads the feature set).</summary>
    [JsonConverter(typeof(ManifestNames.UnknownPolicyConverter))]
    public UnknownCategoryPolicy? OnUnknown { get; init; }

    /// <summary>What the prediction log does with the value (<c>drop</c> or <c>hash</c>); null keeps it, and is left out of the manifest so bundles without sensitive features keep their bytes.</summary>
    [JsonConverter(typeof(ManifestNames.SensitivityConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FeatureSensitivity? Sensitive { get; init; }

    /// <summary>The input of a declared feature, with everything serving checks.</summary>
    /// <param name="feature">The feature.</param>
    public static BundleInput For(Feature feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        return new BundleInput(feature.Name, feature.Type, feature.Nullable, feature.Values)
        {
            Min = feature.Min,
            Max = feature.Max,
            OnUnknown = feature.OnUnknown,
            Sensitive = feature.Sensitive == FeatureSensitivity.None ? null : feature.Sensitive,
        };
    }
}

/// <summary>The label.</summary>
/// <param name="Column">The label column.</param>
/// <param name="Positive">The positive class, for binary classification.</param>
public sealed record BundleLabel(string Column, string? Positive);

/// <summary>The trainer.</summary>
/// <param name="Name">Its name in the model file; for a model file that says <c>auto</c>, the trainer the search chose.</param>
/// <param name="Seed">The context seed.</param>
/// <param name="Parameters">Every effective option, sorted by name.</param>
public sealed record BundleTrainer(string Name, int Seed, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>How the trainer was chosen, when the model file says <c>trainer: auto</c>; null (and left out of the manifest) otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BundleSearch? ChosenBy { get; init; }
}

/// <summary>The search that chose a bundle's trainer and parameters (<c>trainer: auto</c>).</summary>
/// <param name="Method">The search, <c>auto</c>.</param>
/// <param name="Trials">How many combinations were cross-validated.</param>
/// <param name="ChosenTrial">The number of the chosen one (the run store holds every trial as a child run).</param>
/// <param name="Metric">The metric compared, for example <c>auc</c>.</param>
/// <param name="Folds">The folds of each cross-validation.</param>
public sealed record BundleSearch(string Method, int Trials, int ChosenTrial, string Metric, int Folds);

/// <summary>The inputs that determined the model.</summary>
/// <param name="DataDigest">The training data's sha256.</param>
/// <param name="InputsDigest">The hash of every determining input (the tracking cache key).</param>
/// <param name="MlNetVersion">The ML.NET version that trained it.</param>
public sealed record BundleLineage(string DataDigest, string InputsDigest, string MlNetVersion);

/// <summary>Holdout metrics.</summary>
/// <param name="Overall">Metric name to value.</param>
/// <param name="Slices">"feature=value" to metric name to value.</param>
public sealed record BundleMetrics(IReadOnlyDictionary<string, double> Overall, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Slices);
