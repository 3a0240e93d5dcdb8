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
}
