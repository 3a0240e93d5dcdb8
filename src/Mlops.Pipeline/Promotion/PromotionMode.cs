namespace Mlops.Pipeline.Promotion;

/// <summary>What a promotion does to the model's pin in the environment file.</summary>
public enum PromotionMode
{
    /// <summary>The version becomes the pinned (primary) version.</summary>
    Full,

    /// <summary>The version takes <see cref="PromotionRequest.CanaryWeight"/> percent of the traffic next to the primary.</summary>
    Canary,

    /// <summary>The version is scored on every request and logged, never returned.</summary>
    Shadow,

    /// <summary>The canary becomes the primary version and the canary block is removed.</summary>
    CompleteCanary,

    /// <summary>The canary block is removed; the primary keeps all the traffic.</summary>
    AbortCanary,
}

/// <summary>Where a promotion or rollback commit goes.</summary>
public enum CommitTarget
{
    /// <summary>
    /// A new branch (<c>promote/MODEL-vN-ENV</c>, <c>rollback/ENV-SHA</c>) created from HEAD, for a pull request. The
    /// working tree and the checked-out branch are not touched.
    /// </summary>
    NewBranch,

    /// <summary>
    /// The checked-out branch itself, moved by compare-and-swap (the merge pipeline's mode). The environment file in
    /// the working tree and the index are updated too, when they held the committed content.
    /// </summary>
    CurrentBranch,
}
