using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Registry;

/// <summary>Who signs the tags and commits mlops writes; when absent, git's <c>user.name</c> and <c>user.email</c> are used.</summary>
/// <param name="Name">The name written into tags and commits.</param>
/// <param name="Email">The email address written into tags and commits.</param>
public sealed record GitIdentity(string Name, string Email)
{
    /// <summary>The message of the error raised when no identity is given or configured.</summary>
    internal const string MissingMessage =
        "git has no user.name and user.email configured, so mlops cannot sign the tag or commit. "
        + "Run 'git config user.name \"NAME\"' and 'git config user.email EMAIL' in the repository, or pass an identity.";

    /// <summary>
    /// The signature for <paramref name="repository"/> at the clock's current time: <paramref name="identity"/> when given,
    /// else the repository's configured user (local, then global, then system configuration); null when there is neither.
    /// </summary>
    internal static GitSignature? TrySign(GitRepository repository, GitIdentity? identity, TimeProvider time)
    {
        var now = time.GetLocalNow();
        return identity is not null ? new GitSignature(identity.Name, identity.Email, now) : repository.ConfiguredSignature(now);
    }
}
