using Mlops.Declarations.Environments;
using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Promotion;

/// <summary>One gate rule's outcome, as computed by the caller (<c>mlops gate</c>).</summary>
/// <param name="Metric">The rule's metric, for example <c>auc</c>; matched against the environment's <c>requires.gates</c>.</param>
/// <param name="Passed">Whether the rule passed.</param>
/// <param name="Description">The rule and its figures for people, for example <c>auc 0.829 &gt;= 0.80</c>.</param>
public sealed record GateCheck(string Metric, bool Passed, string? Description = null);

/// <summary>
/// The gate result a promotion carries: the caller computes it; the promoter checks it against the environment's
/// <c>requires.gates</c> (each listed metric needs at least one rule, and all of its rules must pass) and writes
/// <see cref="Summary"/> into the commit message.
/// </summary>
/// <param name="Summary">The gate report for people (Markdown or plain text), copied into the commit message.</param>
/// <param name="Checks">Every rule's outcome.</param>
public sealed record GateEvidence(string Summary, IReadOnlyList<GateCheck> Checks)
{
    /// <summary>True when every rule passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>What to promote where, and how.</summary>
/// <param name="RepositoryPath">The repository's root or a folder inside it.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Environment">The target environment (<c>environments/NAME.yaml</c>).</param>
public sealed record PromotionRequest(string RepositoryPath, string Model, string Environment)
{
    /// <summary>The registered version to promote. The default is the latest; for completing or aborting a canary, the canary's.</summary>
    public int? Version { get; init; }

    /// <summary>What to do to the pin. The default is <see cref="PromotionMode.Full"/>.</summary>
    public PromotionMode Mode { get; init; } = PromotionMode.Full;

    /// <summary>The canary's share of the traffic in percent, 1 to 100; required for <see cref="PromotionMode.Canary"/>.</summary>
    public int? CanaryWeight { get; init; }

    /// <summary>The gate result; required when the environment's <c>requires.gates</c> lists metrics.</summary>
    public GateEvidence? Gate { get; init; }

    /// <summary>Where the commit goes. The default is <see cref="CommitTarget.NewBranch"/>.</summary>
    public CommitTarget Target { get; init; } = CommitTarget.NewBranch;

    /// <summary>A remote to push the branch to, for example <c>origin</c>; null (the default) pushes nothing.</summary>
    public string? PushTo { get; init; }

    /// <summary>Where a token for <see cref="PushTo"/> comes from if the remote asks for one; null (the default) reads the environment (MLOPS_GIT_TOKEN, GITHUB_TOKEN, then the git credential helper).</summary>
    public GitCredentialSource? Credentials { get; init; }
}

/// <summary>What a promotion did.</summary>
/// <param name="Status">Whether a commit was written.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The version promoted (or whose canary was completed or aborted).</param>
/// <param name="Environment">The environment.</param>
/// <param name="Mode">The mode.</param>
/// <param name="Path">The environment file, relative to the repository root.</param>
/// <param name="BaseCommit">The commit the edit was computed from (HEAD when the promotion started).</param>
/// <param name="Commit">The promotion commit; for <see cref="PromotionStatus.UpToDate"/> the commit that already pins it.</param>
/// <param name="Branch">The branch written (<c>promote/churn-v8-staging</c>, or the current branch's name).</param>
/// <param name="Before">The model's pin before; null when it was not pinned.</param>
/// <param name="After">The model's pin after.</param>
/// <param name="Message">The commit message.</param>
/// <param name="Pushed">Whether the branch was pushed.</param>
/// <param name="WorkingTreeUpdated">For <see cref="CommitTarget.CurrentBranch"/>: whether the working tree file and the index were updated too.</param>
public sealed record PromotionResult(
    PromotionStatus Status,
    string Model,
    int Version,
    string Environment,
    PromotionMode Mode,
    string Path,
    string BaseCommit,
    string? Commit,
    string? Branch,
    PinnedModel? Before,
    PinnedModel? After,
    string Message,
    bool Pushed,
    bool WorkingTreeUpdated);

/// <summary>Whether a promotion wrote a commit.</summary>
public enum PromotionStatus
{
    /// <summary>A promotion commit was written.</summary>
    Promoted,

    /// <summary>The environment already pins what was asked (or the promotion branch already holds the same change): nothing was written.</summary>
    UpToDate,
}
