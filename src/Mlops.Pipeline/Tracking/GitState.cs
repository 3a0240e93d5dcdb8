using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Tracking;

/// <summary>The git state a run was started from.</summary>
/// <param name="Commit">The full sha of HEAD; null outside a git repository or before the first commit.</param>
/// <param name="Dirty">
/// Whether tracked files differ from HEAD (staged or not), as <c>git describe --dirty</c> counts it:
/// untracked and ignored files do not count. Null when <paramref name="Commit"/> is null.
/// </param>
/// <param name="Branch">The checked-out branch, or null (detached HEAD, or no repository).</param>
public sealed record GitState(string? Commit, bool? Dirty, string? Branch)
{
    /// <summary>No repository, or its state could not be read.</summary>
    public static GitState None { get; } = new(null, null, null);

    /// <summary>The commit's first 12 characters, with <c>*</c> appended when dirty; empty when unknown.</summary>
    public string Short => Commit is null ? "" : Commit[..Math.Min(12, Commit.Length)] + (Dirty == true ? "*" : "");

    /// <summary>
    /// Reads the state of the repository holding <paramref name="path"/> (searched upwards, as git does).
    /// Not being in a repository is not an error: it gives <see cref="None"/>; so does a repository libgit2 cannot read.
    /// </summary>
    /// <param name="path">A folder inside the work tree, usually the repository root.</param>
    public static GitState Read(string path)
    {
        try
        {
            using var repository = GitRepository.Discover(path);
            if (repository is null || repository.IsBare || repository.Head is not { Commit: { } commit } head)
            {
                return None;
            }

            return new GitState(commit, repository.IsDirty(), head.Branch);
        }
        catch (GitException)
        {
            return None; // an unreadable repository must not stop a training; the run records no commit
        }
    }
}
