using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Mlops.Declarations.Models;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>One trainer a model file can name.</summary>
/// <param name="Name">The name in <c>trainer.name</c>, lower case (matched ignoring case).</param>
/// <param name="Task">The task this entry trains.</param>
/// <param name="TrainerType">The ML.NET trainer class.</param>
/// <param name="OptionsType">Its options class; <c>trainer.params</c> set its public fields and properties by name.</param>
/// <param name="Package">The NuGet package (and assembly) the trainer ships in.</param>
/// <param name="Version">That package's version, for cache keys: a new ML.NET retrains.</param>
/// <param name="Scaling">How the feature vector is scaled before this trainer: mean-variance for linear trainers, none for trees.</param>
/// <param name="HandlesMissingValues">Whether the trainer copes with NaN features itself (tree trainers); if not, unfilled missing numbers get the training mean.</param>
public sealed record TrainerInfo(
    string Name,
    ModelTask Task,
    Type TrainerType,
    Type OptionsType,
    string Package,
    string Version,
    FeatureScaling Scaling,
    bool HandlesMissingValues)
{
    /// <summary>
    /// The framework's own defaults, by parameter name (camelCase, invariant text), where they differ from
    /// ML.NET's: applied before <c>trainer.params</c>, which override them. The table in docs/training.md
    /// ("Defaults") lists the same values (a test compares them).
    /// </summary>
    public IReadOnlyDictionary<string, string> Defaults { get; init; } = new Dictionary<string, string>();
}

/// <summary>How <see cref="FeaturePipeline"/> scales the feature vector before a trainer (docs/training.md, "Per feature" and "Defaults").</summary>
public enum FeatureScaling
{
    /// <summary>No scaling: tree trainers split on thresholds, which scaling does not change.</summary>
    None,

    /// <summary>
    /// Standard scaling, ML.NET's <c>NormalizeMeanVariance</c> with <c>fixZero: false</c>: each slot becomes
    /// (x - mean) / standard deviation over the training rows, as scikit-learn's <c>StandardScaler</c> does.
    /// </summary>
    MeanVariance,

    /// <summary>ML.NET's <c>NormalizeMinMax</c>: each slot divided by its largest magnitude (the framework's default before issue 18).</summary>
    MinMax,
}

/// <summary>
/// The trainers a model file can name, per task: <c>lightgbm</c>, <c>fasttree</c>, <c>fastforest</c>
/// (binary and regression only), <c>sdca</c> and <c>lbfgs</c>. See docs/training.md.
/// </summary>
public static class TrainerCatalog
{
    // Measured by 5-fold cross-validation on telco churn, breast cancer, wine and diabetes (docs/training.md,
    // "Defaults"): ML.NET picks learning rate 0.2 and 32 leaves for fewer than 100,000 rows, which overfits
    // a few thousand rows (churn AUC 0.832 against 0.850 with these). Multiclass keeps ML.NET's choice: its
    // per-class leaf minimum suits small multiclass sets better than a fixed one (wine).
    private static readonly Dictionary<string, string> s_lightGbmSmallData = new(StringComparer.Ordinal)
    {
        ["learningRate"] = "0.05",
        ["numberOfLeaves"] = "7",
    };

    // Multi-threaded SDCA is not deterministic; one thread is, and the declared seed should mean something.
    private static readonly Dictionary<string, string> s_sdcaDeterministic = new(StringComparer.Ordinal)
    {
        ["numberOfThreads"] = "1",
    };

    private static readonly IReadOnlyList<TrainerDefinition> s_definitions =
    [
        Tree<LightGbmBinaryTrainer, LightGbmBinaryTrainer.Options>("lightgbm", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.LightGbm(o), s_lightGbmSmallData),
        Tree<FastTreeBinaryTrainer, FastTreeBinaryTrainer.Options>("fasttree", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.FastTree(o)),
        Tree<FastForestBinaryTrainer, FastForestBinaryTrainer.Options>("fastforest", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.FastForest(o)),
        Sdca<SdcaLogisticRegressionBinaryTrainer, SdcaLogisticRegressionBinaryTrainer.Options>(ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(o)),
        Linear<LbfgsLogisticRegressionBinaryTrainer, LbfgsLogisticRegressionBinaryTrainer.Options>("lbfgs", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(o)),

        Tree<LightGbmMulticlassTrainer, LightGbmMulticlassTrainer.Options>("lightgbm", ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.LightGbm(o)),
        Tree<OneVersusAllTrainer, FastTreeBinaryTrainer.Options>("fasttree", ModelTask.MulticlassClassification, (ml, o) =>
            ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(o), labelColumnName: ModelColumns.Label)),
        Sdca<SdcaMaximumEntropyMulticlassTrainer, SdcaMaximumEntropyMulticlassTrainer.Options>(ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(o)),
        Linear<LbfgsMaximumEntropyMulticlassTrainer, LbfgsMaximumEntropyMulticlassTrainer.Options>("lbfgs", ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o)),

        Tree<LightGbmRegressionTrainer, LightGbmRegressionTrainer.Options>("lightgbm", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.LightGbm(o), s_lightGbmSmallData),
        Tree<FastTreeRegressionTrainer, FastTreeRegressionTrainer.Options>("fasttree", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.FastTree(o)),
        Tree<FastForestRegressionTrainer, FastForestRegressionTrainer.Options>("fastforest", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.FastForest(o)),
        Sdca<SdcaRegressionTrainer, SdcaRegressionTrainer.Options>(ModelTask.Regression, (ml, o) => ml.Regression.Trainers.Sdca(o)),
        Linear<LbfgsPoissonRegressionTrainer, LbfgsPoissonRegressionTrainer.Options>("lbfgs", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.LbfgsPoissonRegression(o)),
    ];

    /// <summary>The version of ML.NET (the Microsoft.ML package) training runs on.</summary>
    public static string MlNetVersion { get; } = VersionOf(typeof(MLContext).Assembly);

    /// <summary>Every trainer, grouped by task.</summary>
    public static IReadOnlyList<TrainerInfo> All { get; } = [.. s_definitions.Select(d => d.Info)];

    /// <summary>The trainer of this name for this task (name matched ignoring case), or null.</summary>
    public static TrainerInfo? Find(string name, ModelTask task) => FindDefinition(name, task)?.Info;

    /// <summary>The trainer names a task accepts, in catalog order.</summary>
    public static IReadOnlyList<string> NamesFor(ModelTask task) => [.. All.Where(t => t.Task == task).Select(t => t.Name)];

    internal static TrainerDefinition? FindDefinition(string name, ModelTask task) =>
        s_definitions.FirstOrDefault(d => d.Info.Task == task && string.Equals(d.Info.Name, name, StringComparison.OrdinalIgnoreCase));

    internal static bool Exists(string name) => s_definitions.Any(d => string.Equals(d.Info.Name, name, StringComparison.OrdinalIgnoreCase));

    private static TrainerDefinition Tree<TTrainer, TOptions>(string name, ModelTask task, Func<MLContext, TOptions, IEstimator<ITransformer>> create, IReadOnlyDictionary<string, string>? defaults = null)
        where TOptions : class, new() => Define<TTrainer, TOptions>(name, task, FeatureScaling.None, handlesMissing: true, create, defaults);

    // lbfgs: standard scaling, as scikit-learn's StandardScaler + LogisticRegression; min-max squashed
    // long-tailed columns (breast cancer AUC 0.989 against 0.996).
    private static TrainerDefinition Linear<TTrainer, TOptions>(string name, ModelTask task, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new() => Define<TTrainer, TOptions>(name, task, FeatureScaling.MeanVariance, handlesMissing: false, create, null);

    // SDCA keeps min-max: with standard scaling it was no better in 5-fold cross-validation (breast cancer
    // AUC 0.989 against 0.994, churn 0.842 against 0.843) and took twice as long to converge.
    private static TrainerDefinition Sdca<TTrainer, TOptions>(ModelTask task, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new() => Define<TTrainer, TOptions>("sdca", task, FeatureScaling.MinMax, handlesMissing: false, create, s_sdcaDeterministic);

    private static TrainerDefinition Define<TTrainer, TOptions>(string name, ModelTask task, FeatureScaling scaling, bool handlesMissing,
        Func<MLContext, TOptions, IEstimator<ITransformer>> create, IReadOnlyDictionary<string, string>? defaults)
        where TOptions : class, new()
    {
        var assembly = typeof(TOptions).Assembly;
        var info = new TrainerInfo(name, task, typeof(TTrainer), typeof(TOptions), assembly.GetName().Name ?? "?", VersionOf(assembly), scaling, handlesMissing)
        {
            Defaults = defaults ?? new Dictionary<string, string>(),
        };
        return new TrainerDefinition(info, () => new TOptions(), (ml, options) => create(ml, (TOptions)options));
    }

    private static string VersionOf(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "?";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

/// <summary>A catalog entry with how to make its options and its estimator.</summary>
internal sealed record TrainerDefinition(TrainerInfo Info, Func<object> CreateOptions, Func<MLContext, object, IEstimator<ITransformer>> Create);
