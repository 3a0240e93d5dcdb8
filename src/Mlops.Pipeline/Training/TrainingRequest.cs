using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;

namespace Mlops.Pipeline.Training;

/// <summary>What to train: a model declaration and its feature set, in a repository.</summary>
/// <param name="RepositoryRoot">The folder the model's data path is relative to.</param>
/// <param name="Model">The model declaration, with its source map (errors point into it).</param>
/// <param name="FeatureSet">The feature set version the model names.</param>
public sealed record TrainingRequest(string RepositoryRoot, Declared<ModelSpec> Model, Declared<FeatureSet> FeatureSet)
{
    /// <summary>The model's data as the command already read it (its rows kept), so it is not read again; null reads it.</summary>
    public ModelData? Data { get; init; }
}

/// <summary>The stages <see cref="ModelTrainer"/> and <see cref="Evaluation.ModelEvaluator"/> report.</summary>
public enum TrainingStage
{
    /// <summary>Checking the data against the declarations and reading it.</summary>
    LoadingData,

    /// <summary>Fitting the transforms and the trainer.</summary>
    Fitting,

    /// <summary>Fitting and scoring the cross-validation folds.</summary>
    CrossValidating,

    /// <summary>Writing the model zip.</summary>
    Saving,

    /// <summary>Scoring the holdout rows and computing metrics.</summary>
    Evaluating,

    /// <summary>Timing single-row predictions.</summary>
    MeasuringLatency,

    /// <summary>Profiling features and predictions.</summary>
    Profiling,
}

/// <summary>A progress report.</summary>
/// <param name="Stage">The stage starting.</param>
/// <param name="Message">What happens, for people.</param>
public readonly record struct TrainingProgress(TrainingStage Stage, string Message);

/// <summary>The outcome of a training.</summary>
/// <param name="ModelPath">The saved model zip.</param>
/// <param name="ModelDigest">Its sha256, <c>sha256:&lt;hex&gt;</c>; the same inputs give the same digest.</param>
/// <param name="Trainer">The trainer's name as the catalog spells it.</param>
/// <param name="TrainerType">The ML.NET trainer class's full name.</param>
/// <param name="TrainerVersion">The ML.NET package and version of the trainer, <c>Microsoft.ML.LightGbm 5.0.1</c>.</param>
/// <param name="Parameters">Every trainer option after defaults and the model file's params, as invariant text.</param>
/// <param name="Transforms">One line per feature saying how it is encoded and filled, as saved in the model.</param>
/// <param name="TrainRows">Rows trained on.</param>
/// <param name="HoldoutRows">Rows held out for evaluation.</param>
/// <param name="Seed">The ML.NET context seed (<c>trainer.seed</c>).</param>
/// <param name="MlNetVersion">The Microsoft.ML version.</param>
/// <param name="DataDigest">The sha256 of the data file trained on.</param>
/// <param name="Duration">From the start of loading to the model written.</param>
public sealed record TrainingResult(
    string ModelPath,
    string ModelDigest,
    string Trainer,
    string TrainerType,
    string TrainerVersion,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> Transforms,
    int TrainRows,
    int HoldoutRows,
    int Seed,
    string MlNetVersion,
    string DataDigest,
    TimeSpan Duration)
{
    /// <summary>The cross-validation run before the model was fitted, when <c>data.split.folds</c> is declared; otherwise null.</summary>
    public CrossValidationResult? CrossValidation { get; init; }
}
