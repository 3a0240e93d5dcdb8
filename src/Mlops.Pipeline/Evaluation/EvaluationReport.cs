using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Monitoring;

namespace Mlops.Pipeline.Evaluation;

/// <summary>What to evaluate: a model file and the declarations it was trained from.</summary>
/// <param name="RepositoryRoot">The folder the model's data path is relative to.</param>
/// <param name="Model">The model declaration.</param>
/// <param name="FeatureSet">The feature set version the model names.</param>
/// <param name="ModelPath">The model zip written by training, or a registered ONNX file.</param>
public sealed record EvaluationRequest(string RepositoryRoot, Declared<ModelSpec> Model, Declared<FeatureSet> FeatureSet, string ModelPath)
{
    /// <summary>The model file's format.</summary>
    /// <value>The default value is <see cref="ModelFormat.MlNet"/>.</value>
    public ModelFormat ModelFormat { get; init; } = ModelFormat.MlNet;

    /// <summary>The model's data as the command already read it (its rows kept), so it is not read again; null reads it.</summary>
    public ModelData? Data { get; init; }

    /// <summary>A CSV file to write each holdout row's prediction to (its line in the data file, the entity, the label, and what serving would answer); null writes none.</summary>
    public string? PredictionsFile { get; init; }
}

/// <summary>
/// The evaluation of a model on its holdout rows; serialises with System.Text.Json (camelCase).
/// Metric names are the ones gate rules use: see <see cref="MetricNames"/>.
/// </summary>
/// <param name="Model">The model's name.</param>
/// <param name="Task">The task, as the model file writes it.</param>
/// <param name="HoldoutRows">Rows evaluated.</param>
/// <param name="Metrics">Overall metrics by name, including latency and size; a metric that is undefined on these rows (AUC with one class) is absent.</param>
/// <param name="ConfusionMatrix">Binary classification: counts of the four outcomes; otherwise null.</param>
/// <param name="Classes">Multiclass: metrics per class; otherwise null.</param>
/// <param name="Slices">The task metrics per value of each declared slice feature.</param>
/// <param name="Latency">Single-row prediction latency through the runtime scorer on the saved model.</param>
/// <param name="ModelSizeBytes">The size of the model zip.</param>
/// <param name="Profile">The reference profile of the holdout features and predictions, for drift checks.</param>
public sealed record EvaluationReport(
    string Model,
    string Task,
    int HoldoutRows,
    IReadOnlyDictionary<string, double> Metrics,
    ConfusionMatrix? ConfusionMatrix,
    IReadOnlyList<ClassMetrics>? Classes,
    IReadOnlyList<SliceMetrics> Slices,
    LatencySummary Latency,
    long ModelSizeBytes,
    ReferenceProfile Profile)
{
    /// <summary>The 95% interval of each metric in <see cref="Metrics"/> that is a function of the rows (not latency or size), by name.</summary>
    public IReadOnlyDictionary<string, MetricInterval> Intervals { get; init; } = new Dictionary<string, MetricInterval>();

    /// <summary>What the task metrics were measured on: <see cref="HoldoutRowsSplit"/>, or <see cref="CrossValidationSplit"/> when the model holds out no rows and its folds alone evaluate it.</summary>
    /// <value>The default value is <c>holdout</c>.</value>
    public string EvaluatedOn { get; init; } = HoldoutRowsSplit;

    /// <summary>The task metrics come from the holdout rows (bootstrap intervals).</summary>
    public const string HoldoutRowsSplit = "holdout";

    /// <summary>The task metrics are cross-validation means (intervals across folds); <see cref="HoldoutRows"/> counts the training rows scored out of fold.</summary>
    public const string CrossValidationSplit = "cv";
}

/// <summary>Metrics on the holdout rows where a slice feature has one value.</summary>
/// <param name="Feature">The slice feature.</param>
/// <param name="Value">Its value (bools as <c>true</c>/<c>false</c>).</param>
/// <param name="Rows">Holdout rows with the value.</param>
/// <param name="Metrics">The task metrics on those rows, as in <see cref="EvaluationReport.Metrics"/>.</param>
public sealed record SliceMetrics(string Feature, string Value, int Rows, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The 95% interval of each metric, bootstrapped over the slice's rows, by name.</summary>
    public IReadOnlyDictionary<string, MetricInterval> Intervals { get; init; } = new Dictionary<string, MetricInterval>();
}

/// <summary>Single-row latency.</summary>
/// <param name="Predictions">Timed predictions (after the warm-up).</param>
/// <param name="P50Ms">Median, in milliseconds.</param>
/// <param name="P99Ms">99th percentile (nearest rank), in milliseconds.</param>
/// <param name="MeanMs">Mean, in milliseconds.</param>
public sealed record LatencySummary(int Predictions, double P50Ms, double P99Ms, double MeanMs);
