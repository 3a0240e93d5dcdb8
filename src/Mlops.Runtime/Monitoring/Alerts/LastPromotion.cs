using Mlops.Runtime.Git;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>Reads an environment's last promotion from git, through the one git seam, for <see cref="AlertEngine.LastPromotion"/>.</summary>
public static class LastPromotion
{
    /// <summary>
    /// The newest commit on <paramref name="tip"/>'s first-parent line that changed the environment file (a promotion, a
    /// rollback or a reviewed edit: whatever last changed what runs), dated when it landed; null when none did.
    /// The same commits <c>mlops history</c> lists.
    /// </summary>
    /// <param name="repository">The repository the server follows, or a clone.</param>
    /// <param name="tip">The commit served (a sha or a branch).</param>
    /// <param name="environmentPath">The environment file, relative to the repository root (for example <c>environments/production.yaml</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="GitException"><paramref name="tip"/> is not a commit of the repository.</exception>
    public static PromotionInfo? Read(GitRepository repository, string tip, string environmentPath)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(tip);
        ArgumentNullException.ThrowIfNull(environmentPath);
        var commit = repository.CommitsTouching(tip, environmentPath).FirstOrDefault();
        return commit is null ? null : new PromotionInfo(commit.Sha, commit.Author.ToString(), commit.Committer.When, commit.Subject);
    }
}
