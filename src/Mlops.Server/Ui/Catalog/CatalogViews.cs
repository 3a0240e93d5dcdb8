namespace Mlops.Server.Ui.Catalog;

/// <summary>One metric of a run.</summary>
/// <param name="Name">The metric, for example <c>auc</c>.</param>
/// <param name="Split">The rows it was measured on (<c>holdout</c>, <c>train</c>).</param>
/// <param name="Slice">The slice (<c>contract=One year</c>), or empty for all rows.</param>
/// <param name="Value">Its value; NaN when undefined.</param>
/// <param name="HigherIsBetter">Whether a larger value is better; null when the catalog does not know.</param>
public sealed record RunMetricView(string Name, string Split, string Slice, double Value, bool? HigherIsBetter)
{
    /// <summary>The held-out rows: the split the runs table shows.</summary>
    public const string Holdout = "holdout";

    /// <summary>The metric's name with its slice and split when they are not overall holdout: <c>recall [contract=One year]</c>.</summary>
    public string Label => Name + (Slice.Length > 0 ? $" [{Slice}]" : "") + (Split == Holdout ? "" : $" ({Split})");
}

/// <summary>One tracked training run with its lineage.</summary>
public sealed record RunView
{
    /// <summary>The run's id (sorts by start time).</summary>
    public required string Id { get; init; }

    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>running, succeeded, failed or abandoned.</summary>
    public required string Status { get; init; }

    /// <summary>When it started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it ran; null while running.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Parameters by name, in the order recorded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Params { get; init; } = [];

    /// <summary>Metrics in the order recorded.</summary>
    public IReadOnlyList<RunMetricView> Metrics { get; init; } = [];

    /// <summary>The training data's digest.</summary>
    public string? DataDigest { get; init; }

    /// <summary>The digest of the training-relevant declarations.</summary>
    public string? DeclarationsDigest { get; init; }

    /// <summary>The hash of everything that determines the run.</summary>
    public string? CacheKey { get; init; }

    /// <summary>The git commit the run started from.</summary>
    public string? GitCommit { get; init; }

    /// <summary>Whether tracked files differed from that commit.</summary>
    public bool? GitDirty { get; init; }

    /// <summary>The checked-out branch.</summary>
    public string? GitBranch { get; init; }

    /// <summary>The operating system and architecture.</summary>
    public string? Os { get; init; }

    /// <summary>The .NET runtime.</summary>
    public string? DotNet { get; init; }

    /// <summary>The ML.NET version.</summary>
    public string? MlNet { get; init; }

    /// <summary>The trainer's seed.</summary>
    public int? Seed { get; init; }

    /// <summary>The file the run produced.</summary>
    public string? ArtifactPath { get; init; }

    /// <summary>Its digest.</summary>
    public string? ArtifactDigest { get; init; }

    /// <summary>The machine that recorded it.</summary>
    public string? Host { get; init; }

    /// <summary>Why it failed, as a compiler would print it; null unless failed.</summary>
    public string? Error { get; init; }

    /// <summary>The parameter's value, or null.</summary>
    /// <param name="name">The parameter's name.</param>
    public string? Param(string name)
    {
        foreach (var (key, value) in Params)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The overall holdout metric of this name, or null.</summary>
    /// <param name="name">The metric.</param>
    public RunMetricView? HoldoutMetric(string name)
    {
        foreach (var metric in Metrics)
        {
            if (metric.Name == name && metric.Slice.Length == 0 && metric.Split == RunMetricView.Holdout)
            {
                return metric;
            }
        }

        return null;
    }
}

/// <summary>One parameter across compared runs.</summary>
/// <param name="Name">The parameter.</param>
/// <param name="Values">Its value in each run, in the runs' order; null where absent.</param>
public sealed record ComparedParam(string Name, IReadOnlyList<string?> Values)
{
    /// <summary>True when not every run has the same value.</summary>
    public bool Differs => Values.Distinct(StringComparer.Ordinal).Skip(1).Any();
}

/// <summary>One metric across compared runs.</summary>
/// <param name="Metric">Its name, split and slice (the value is the first run's, or NaN).</param>
/// <param name="Values">Its value in each run; null where absent.</param>
/// <param name="Deltas">Each run's value minus the first run's; the first entry is null; null where either is absent.</param>
public sealed record ComparedMetric(RunMetricView Metric, IReadOnlyList<double?> Values, IReadOnlyList<double?> Deltas);

/// <summary>Runs side by side; the first is the baseline.</summary>
/// <param name="Runs">The runs, in the order asked for.</param>
/// <param name="Params">Every parameter any run has, the first run's order first.</param>
/// <param name="Metrics">Every metric any run has, overall ones first.</param>
public sealed record RunComparisonView(IReadOnlyList<RunView> Runs, IReadOnlyList<ComparedParam> Params, IReadOnlyList<ComparedMetric> Metrics);

/// <summary>A registered version of a model.</summary>
/// <param name="Version">The version number.</param>
/// <param name="Tag">Its git tag, <c>churn@v8</c>.</param>
/// <param name="BundleDigest">The bundle's content address.</param>
/// <param name="FeatureSet">The feature set it was trained on (<c>customer@3</c>), when recorded.</param>
/// <param name="RunId">The training run, when recorded.</param>
/// <param name="Metrics">The metrics the tag records, in order.</param>
/// <param name="Commit">The commit whose declarations produced it.</param>
/// <param name="Date">When it was registered.</param>
/// <param name="Tagger">Who registered it.</param>
/// <param name="PinnedBy">The environments that pin it now: <c>production</c>, <c>staging (canary 10%)</c>.</param>
public sealed record RegisteredVersionView(
    int Version,
    string Tag,
    string BundleDigest,
    string? FeatureSet,
    string? RunId,
    IReadOnlyList<KeyValuePair<string, double>> Metrics,
    string Commit,
    DateTimeOffset Date,
    string Tagger,
    IReadOnlyList<string> PinnedBy);

/// <summary>A model of the registry.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Description">Its description from <c>models/NAME.yaml</c>, when there is one.</param>
/// <param name="Versions">Its versions, oldest first.</param>
public sealed record RegisteredModelView(string Model, string? Description, IReadOnlyList<RegisteredVersionView> Versions);

/// <summary>How one model's pin changed in a commit.</summary>
/// <param name="Model">The model.</param>
/// <param name="Before">The primary version before; null when added.</param>
/// <param name="After">The primary version after; null when removed.</param>
/// <param name="Changes">What changed, in words (<c>promoted</c>, <c>canary v8 at 10%</c>).</param>
/// <param name="Warning">True when a change deserves a reviewer's attention (a digest changed without a new version).</param>
public sealed record PinChangeView(string Model, int? Before, int? After, IReadOnlyList<string> Changes, bool Warning);

/// <summary>One commit that changed an environment file.</summary>
/// <param name="Commit">The commit's sha.</param>
/// <param name="Date">When it landed.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="Subject">The message's first line.</param>
/// <param name="Body">The rest of the message (the gate summary of a promotion); empty when none.</param>
/// <param name="Pins">What the file pinned after it: <c>churn@v8 (+v9 canary 10%)</c>.</param>
/// <param name="Changes">The environment diff of the commit, model by model.</param>
/// <param name="Promotion">The promotion it records (<c>churn@v8 -> production (full)</c>), or null.</param>
/// <param name="RolledBack">For a rollback, the sha of the promotion it undid; otherwise null.</param>
/// <param name="Errors">The file's errors after the commit; empty when it parses.</param>
public sealed record EnvironmentChangeView(
    string Commit,
    DateTimeOffset Date,
    string Author,
    string Subject,
    string Body,
    IReadOnlyList<string> Pins,
    IReadOnlyList<PinChangeView> Changes,
    string? Promotion,
    string? RolledBack,
    IReadOnlyList<string> Errors)
{
    /// <summary>What kind of change: <c>rollback</c>, <c>promotion</c> or <c>edit</c>.</summary>
    public string Kind => RolledBack is not null ? "rollback" : Promotion is not null ? "promotion" : "edit";
}

/// <summary>The history of one environment file.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="Path">Its file in the repository.</param>
/// <param name="Changes">The commits that changed it, newest first.</param>
public sealed record EnvironmentHistoryView(string Environment, string Path, IReadOnlyList<EnvironmentChangeView> Changes);
