namespace Mlops.Pipeline.Promotion;

/// <summary>Why a promotion or rollback was refused. Nothing was written in any of these cases, except <see cref="PushFailed"/>.</summary>
public enum PromotionFailure
{
    /// <summary>The request itself is malformed (every problem is listed): bad usage.</summary>
    InvalidRequest,

    /// <summary>The folder is not in a git repository, or it has no commit yet.</summary>
    NotARepository,

    /// <summary><c>environments/ENV.yaml</c> does not exist at HEAD.</summary>
    EnvironmentNotFound,

    /// <summary>The environment file has errors, or a layout the editor does not change.</summary>
    InvalidEnvironmentFile,

    /// <summary>The version is not registered (no tag <c>MODEL@vN</c>), or its tag cannot be read.</summary>
    NotRegistered,

    /// <summary>The version's bundle is not in the store.</summary>
    BundleMissing,

    /// <summary>The environment file pins a digest other than the one its version's tag records: tampered or mistyped.</summary>
    DigestMismatch,

    /// <summary>The environment's <c>requires:</c> is not met (promoted elsewhere first, gates passed).</summary>
    RequirementsNotMet,

    /// <summary>The model's pin is not in a state this mode applies to (no pin, no canary, a canary of another version running, ...).</summary>
    InvalidState,

    /// <summary>Another promotion changed the environment file, or holds the branch, first: nothing was lost, run it again.</summary>
    Conflict,

    /// <summary>No git identity is given or configured.</summary>
    NoIdentity,

    /// <summary>The commit was written locally but the push failed; <see cref="PromotionException.Commit"/> names it.</summary>
    PushFailed,
}

/// <summary>A promotion or rollback was refused; the message says what, why and what to do.</summary>
/// <param name="failure">The kind of refusal.</param>
/// <param name="message">What happened, why, and what to do.</param>
/// <param name="inner">The error behind it, if any.</param>
public sealed class PromotionException(PromotionFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The kind of refusal.</summary>
    public PromotionFailure Failure { get; } = failure;

    /// <summary>For <see cref="PromotionFailure.PushFailed"/>: the local commit that was not pushed.</summary>
    public string? Commit { get; init; }
}
