namespace Mlops.Pipeline.Tracking;

/// <summary>One recorded training run, as read from the <see cref="RunStore"/>.</summary>
public sealed record Run
{
    /// <summary>The run's id: its UTC start time and a random suffix, <c>20261123T085238Z-3f9a1c07</c>; ids sort by start time.</summary>
    public required string Id { get; init; }

    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>Where the run stands; <see cref="RunStatus.Abandoned"/> is derived when read.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>When the run started (UTC), from the store's <see cref="TimeProvider"/>.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it completed or failed (UTC); null while running.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>How long it ran; null while running.</summary>
    public TimeSpan? Duration => EndedAt - StartedAt;

    /// <summary>The hash of everything that determines the run (see <see cref="Tracking.CacheKey"/>); null when not computed.</summary>
    public string? CacheKey { get; init; }

    /// <summary>The sha256 of the training data, <c>sha256:...</c>.</summary>
    public string? DataDigest { get; init; }

    /// <summary>The digest of the training-relevant declarations (see <see cref="Tracking.CacheKey.DeclarationsDigest"/>).</summary>
    public string? DeclarationsDigest { get; init; }

    /// <summary>The git state the run started from.</summary>
    public GitState Git { get; init; } = GitState.None;

    /// <summary>The OS, .NET and ML.NET versions.</summary>
    public required Toolchain Toolchain { get; init; }

    /// <summary>The trainer's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>The run this one is part of (a trial of trainer auto: its training run), or null for a run of its own.</summary>
    public string? ParentId { get; init; }

    /// <summary>The artifact, once completed.</summary>
    public RunArtifact? Artifact { get; init; }

    /// <summary>Why it failed, for a failed run.</summary>
    public RunError? Error { get; init; }

    /// <summary>The machine that recorded the run.</summary>
    public string? Host { get; init; }

    /// <summary>The id of the process that recorded the run.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Parameters by name, in the order they were recorded: trainer params, effective defaults, seed, split.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>Metrics in the order they were recorded.</summary>
    public IReadOnlyList<RunMetric> Metrics { get; init; } = [];

    /// <summary>The names of the JSON documents attached to the run (read one with <see cref="RunStore.GetAttachmentAsync"/>).</summary>
    public IReadOnlyList<string> Attachments { get; init; } = [];

    /// <summary>The metric with this name, split and slice, or null.</summary>
    public RunMetric? FindMetric(string name, string split = RunMetric.Holdout, string slice = "") =>
        Metrics.FirstOrDefault(m => m.Name == name && m.Split == split && m.Slice == slice);
}
