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
/// <param name="NormalizesFeatures">Whether the feature vector is min-max normalised before this trainer (linear trainers).</param>
/// <param name="HandlesMissingValues">Whether the trainer copes with NaN features itself (tree trainers); if not, unfilled missing numbers get the training mean.</param>
public sealed record TrainerInfo(
    string Name,
    ModelTask Task,
    Type TrainerType,
    Type OptionsType,
    string Package,
    string Version,
    bool NormalizesFeatures,
    bool HandlesMissingValues);

/// <summary>
/// The trainers a model file can name, per task: <c>lightgbm</c>, <c>fasttree</c>, <c>fastforest</c>
/// (binary and regression only), <c>sdca</c> and <c>lbfgs</c>. See docs/training.md.
/// </summary>
public static class TrainerCatalog
{
    private static readonly IReadOnlyList<TrainerDefinition> s_definitions =
    [
        Tree<LightGbmBinaryTrainer, LightGbmBinaryTrainer.Options>("lightgbm", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.LightGbm(o)),
        Tree<FastTreeBinaryTrainer, FastTreeBinaryTrainer.Options>("fasttree", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.FastTree(o)),
        Tree<FastForestBinaryTrainer, FastForestBinaryTrainer.Options>("fastforest", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.FastForest(o)),
        Linear<SdcaLogisticRegressionBinaryTrainer, SdcaLogisticRegressionBinaryTrainer.Options>("sdca", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(o)),
        Linear<LbfgsLogisticRegressionBinaryTrainer, LbfgsLogisticRegressionBinaryTrainer.Options>("lbfgs", ModelTask.BinaryClassification, (ml, o) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(o)),

        Tree<LightGbmMulticlassTrainer, LightGbmMulticlassTrainer.Options>("lightgbm", ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.LightGbm(o)),
        Tree<OneVersusAllTrainer, FastTreeBinaryTrainer.Options>("fasttree", ModelTask.MulticlassClassification, (ml, o) =>
            ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(o), labelColumnName: ModelColumns.Label)),
        Linear<SdcaMaximumEntropyMulticlassTrainer, SdcaMaximumEntropyMulticlassTrainer.Options>("sdca", ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(o)),
        Linear<LbfgsMaximumEntropyMulticlassTrainer, LbfgsMaximumEntropyMulticlassTrainer.Options>("lbfgs", ModelTask.MulticlassClassification, (ml, o) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o)),

        Tree<LightGbmRegressionTrainer, LightGbmRegressionTrainer.Options>("lightgbm", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.LightGbm(o)),
        Tree<FastTreeRegressionTrainer, FastTreeRegressionTrainer.Options>("fasttree", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.FastTree(o)),
        Tree<FastForestRegressionTrainer, FastForestRegressionTrainer.Options>("fastforest", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.FastForest(o)),
        Linear<SdcaRegressionTrainer, SdcaRegressionTrainer.Options>("sdca", ModelTask.Regression, (ml, o) => ml.Regression.Trainers.Sdca(o)),
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

    private static TrainerDefinition Tree<TTrainer, TOptions>(string name, ModelTask task, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new() => Define<TTrainer, TOptions>(name, task, normalizes: false, handlesMissing: true, create);

    private static TrainerDefinition Linear<TTrainer, TOptions>(string name, ModelTask task, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new() => Define<TTrainer, TOptions>(name, task, normalizes: true, handlesMissing: false, create);

    private static TrainerDefinition Define<TTrainer, TOptions>(string name, ModelTask task, bool normalizes, bool handlesMissing, Func<MLContext, TOptions, IEstimator<ITransformer>> create)
        where TOptions : class, new()
    {
        var assembly = typeof(TOptions).Assembly;
        var info = new TrainerInfo(name, task, typeof(TTrainer), typeof(TOptions), assembly.GetName().Name ?? "?", VersionOf(assembly), normalizes, handlesMissing);
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
