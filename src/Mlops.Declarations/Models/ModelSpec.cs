using System.Collections.Generic;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Models;

/// <summary>A model declaration: <c>models/NAME.yaml</c>.</summary>
/// <param name="Name">The model's name; versions are tagged <c>NAME@vN</c>.</param>
/// <param name="Task">The learning task.</param>
/// <param name="FeatureSet">The feature set version it is trained on.</param>
/// <param name="Label">The column to predict.</param>
/// <param name="Data">The training data and how it is split.</param>
/// <param name="Trainer">The trainer and its options.</param>
/// <param name="Slices">Features whose values get their own metrics.</param>
/// <param name="Gate">Rules a new version must pass.</param>
/// <param name="Description">Free text for people.</param>
public sealed record ModelSpec(
    string Name,
    ModelTask Task,
    FeatureSetReference FeatureSet,
    LabelSpec Label,
    DataSpec Data,
    TrainerSpec Trainer,
    IReadOnlyList<string> Slices,
    IReadOnlyList<GateRule> Gate,
    string? Description);

/// <summary>The learning tasks, named after ML.NET's catalogs.</summary>
public enum ModelTask
{
    /// <summary>Two classes (<c>binary-classification</c>).</summary>
    BinaryClassification,

    /// <summary>Several classes (<c>multiclass-classification</c>).</summary>
    MulticlassClassification,

    /// <summary>A number (<c>regression</c>).</summary>
    Regression,
}

/// <summary>The column to predict.</summary>
/// <param name="Column">The label column in the data.</param>
/// <param name="Positive">The positive class's value, for binary classification.</param>
public sealed record LabelSpec(string Column, string? Positive);

/// <summary>The training data.</summary>
/// <param name="Path">The CSV file, relative to the repository root; null when the file is kept in the store and fetched by <paramref name="Digest"/>.</param>
/// <param name="Digest">Its declared sha256, <c>sha256:...</c>.</param>
/// <param name="Split">How the holdout set is taken.</param>
public sealed record DataSpec(string? Path, string Digest, SplitSpec Split)
{
    /// <summary>Whether the file is kept in the store (no <see cref="Path"/>) rather than in the repository.</summary>
    public bool InStore => Path is null;
}

/// <summary>How rows are split between training and evaluation.</summary>
/// <param name="Holdout">Fraction held out. The default is 0.2.</param>
/// <param name="Seed">Seed of the random split. The default is 42.</param>
/// <param name="TimeColumn">When set, the latest rows by this column are held out instead of random ones.</param>
public sealed record SplitSpec(double Holdout, int Seed, string? TimeColumn)
{
    /// <summary>A 20% random holdout with seed 42.</summary>
    public static SplitSpec Default { get; } = new(0.2, 42, null);

    /// <summary>
    /// Folds of the cross-validation run on the training rows (2 to 20), or null for none. With
    /// <see cref="Holdout"/> 0 the folds alone evaluate the model; otherwise the holdout does, and the folds' metrics
    /// are recorded beside it.
    /// </summary>
    /// <value>The default value is null: no cross-validation.</value>
    public int? Folds { get; init; }
}

/// <summary>The trainer.</summary>
/// <param name="Name">Its name, for example lightgbm; <see cref="Auto"/> searches the task's trainers.</param>
/// <param name="Seed">Seed of the ML.NET context. The default is 42.</param>
/// <param name="Params">Options by name, passed to the trainer.</param>
public sealed record TrainerSpec(string Name, int Seed, IReadOnlyDictionary<string, ScalarValue> Params)
{
    /// <summary>The name that searches trainers and their parameters by cross-validation (<c>trainer: { name: auto }</c>).</summary>
    public const string Auto = "auto";

    /// <summary>The default of <see cref="Trials"/>.</summary>
    public const int DefaultTrials = 20;

    /// <summary>The fewest trials <c>trials</c> accepts.</summary>
    public const int MinimumTrials = 1;

    /// <summary>The most trials <c>trials</c> accepts.</summary>
    public const int MaximumTrials = 200;

    /// <summary>With <see cref="Auto"/>: how many trainer and parameter combinations are cross-validated. The default value is 20.</summary>
    public int Trials { get; init; } = DefaultTrials;

    /// <summary>With <see cref="Auto"/>: the trainers searched, as written; empty (the default) searches every trainer of the task.</summary>
    public IReadOnlyList<string> Trainers { get; init; } = System.Array.Empty<string>();

    /// <summary>Whether the trainer is <see cref="Auto"/> (matched ignoring case).</summary>
    public bool IsAuto => string.Equals(Name, Auto, System.StringComparison.OrdinalIgnoreCase);
}
