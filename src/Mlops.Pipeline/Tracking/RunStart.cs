using System.Globalization;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;

namespace Mlops.Pipeline.Tracking;

/// <summary>What is known when a run starts; see <see cref="RunStore.StartRunAsync"/>.</summary>
public sealed record RunStart
{
    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>The run's cache key (<see cref="Tracking.CacheKey.Compute"/>); a later run with the same key may reuse this one.</summary>
    public string? CacheKey { get; init; }

    /// <summary>Parameters by name, recorded in enumeration order: trainer params, effective defaults, seed, split.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>The sha256 of the training data, <c>sha256:...</c>.</summary>
    public string? DataDigest { get; init; }

    /// <summary>The digest of the training-relevant declarations (<see cref="Tracking.CacheKey.DeclarationsDigest"/>).</summary>
    public string? DeclarationsDigest { get; init; }

    /// <summary>The git state (<see cref="GitState.Read"/>). The default is <see cref="GitState.None"/>.</summary>
    public GitState Git { get; init; } = GitState.None;

    /// <summary>The ML.NET version the trainer uses; the store adds the OS and .NET versions itself.</summary>
    public string? MlNetVersion { get; init; }

    /// <summary>The trainer's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>The run this one is part of (a trial of trainer auto belongs to its training run), or null for a run of its own.</summary>
    public string? ParentId { get; init; }

    /// <summary>
    /// The start of a training run of <paramref name="model"/>: its cache key and declarations digest
    /// (<see cref="Tracking.CacheKey"/>), and the params as declared: <c>trainer</c>, each trainer parameter as written,
    /// <c>seed</c>, <c>split.holdout</c>, <c>split.seed</c>, <c>split.timeColumn</c> and <c>split.folds</c> (when set) and <c>featureSet</c>.
    /// Effective defaults the trainer fills in are added at completion (<see cref="RunCompletion.Params"/>).
    /// </summary>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set it references.</param>
    /// <param name="dataDigest">The actual sha256 of the training data.</param>
    /// <param name="mlNetVersion">The ML.NET version the trainer uses; also the cache key's trainer version.</param>
    /// <param name="git">The git state (<see cref="GitState.Read"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not the set the model references.</exception>
    public static RunStart FromDeclarations(ModelSpec model, FeatureSet features, string dataDigest, string mlNetVersion, GitState git)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = new Dictionary<string, string> { ["trainer"] = model.Trainer.Name };
        foreach (var (name, value) in model.Trainer.Params)
        {
            parameters[name] = value.Text;
        }

        if (model.Trainer.IsAuto)
        {
            parameters["trials"] = model.Trainer.Trials.ToString(CultureInfo.InvariantCulture);
            if (model.Trainer.Trainers.Count > 0)
            {
                parameters["trainers"] = string.Join(",", model.Trainer.Trainers);
            }
        }

        parameters["seed"] = model.Trainer.Seed.ToString(CultureInfo.InvariantCulture);
        parameters["split.holdout"] = model.Data.Split.Holdout.ToString("R", CultureInfo.InvariantCulture);
        parameters["split.seed"] = model.Data.Split.Seed.ToString(CultureInfo.InvariantCulture);
        if (model.Data.Split.TimeColumn is { } timeColumn)
        {
            parameters["split.timeColumn"] = timeColumn;
        }

        if (model.Data.Split.Folds is { } folds)
        {
            parameters["split.folds"] = folds.ToString(CultureInfo.InvariantCulture);
        }

        parameters["featureSet"] = model.FeatureSet.ToString();
        return new RunStart
        {
            Model = model.Name,
            CacheKey = Tracking.CacheKey.Compute(model, features, dataDigest, mlNetVersion),
            DeclarationsDigest = Tracking.CacheKey.DeclarationsDigest(model, features),
            DataDigest = dataDigest,
            Params = parameters,
            Git = git,
            MlNetVersion = mlNetVersion,
            Seed = model.Trainer.Seed,
        };
    }
}
