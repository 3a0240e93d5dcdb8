using System.Text;
using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Promotion;

/// <summary>One environment file change to commit: the file's new text on top of <see cref="Base"/>.</summary>
/// <param name="Path">The environment file, relative to the repository root.</param>
/// <param name="Base">The sha of the commit the edit was computed from.</param>
/// <param name="NewText">The file's new content.</param>
/// <param name="Message">The commit message.</param>
/// <param name="Target">Where the commit goes.</param>
/// <param name="Branch">For <see cref="CommitTarget.NewBranch"/>: the branch to create (without <c>refs/heads/</c>).</param>
internal sealed record EnvironmentChange(string Path, string Base, string NewText, string Message, CommitTarget Target, string? Branch);

/// <summary>What <see cref="EnvironmentCommitWriter.Write"/> did.</summary>
internal sealed record WriteOutcome(PromotionStatus Status, string Commit, string Branch, bool WorkingTreeUpdated);

/// <summary>
/// Writes an environment change as a commit without checking anything out: the new blob goes into a copy of the
/// base commit's tree, the commit is created in the object database, and only then is a ref moved, by
/// compare-and-swap under git's ref lock (<see cref="GitRefLock"/>, through <see cref="GitRepository.LockRef"/>). So two promotions racing for the same
/// environment cannot lose an update: the second sees the ref moved and the file changed, and fails.
/// </summary>
internal static class EnvironmentCommitWriter
{
    public static WriteOutcome Write(GitRepository repository, EnvironmentChange change, GitSignature signature, Action? beforeRefUpdate, CancellationToken cancellationToken)
    {
        var baseBlob = repository.FindFile(change.Base, change.Path)?.Id;
        var blob = CreateBlob(repository, change.NewText, baseBlob);
        var commit = repository.CreateCommit(change.Base, change.Path, blob, change.Message, signature);
        beforeRefUpdate?.Invoke();

        try
        {
            return change.Target == CommitTarget.NewBranch
                ? CreateBranch(repository, change, commit, blob, signature, cancellationToken)
                : MoveCurrentBranch(repository, change, commit, baseBlob, blob, signature, cancellationToken);
        }
        catch (GitRefException e)
        {
            throw new PromotionException(PromotionFailure.Conflict, e.Message + " Nothing was written.", e);
        }
    }

    private static WriteOutcome CreateBranch(GitRepository repository, EnvironmentChange change, string commit, string blob, GitSignature signature, CancellationToken cancellationToken)
    {
        var branch = change.Branch ?? throw new InvalidOperationException("A new-branch change needs a branch name.");
        var name = "refs/heads/" + branch;
        using var refLock = repository.LockRef(name, cancellationToken);
        if (refLock.Current is { } existing)
        {
            if (repository.FindCommit(existing) is { } tip && repository.FindFile(tip.Sha, change.Path)?.Id == blob)
            {
                return new WriteOutcome(PromotionStatus.UpToDate, tip.Sha, branch, false);
            }

            throw new PromotionException(PromotionFailure.Conflict,
                $"branch {branch} already exists (at {Short(existing)}) with another change to {change.Path}: the same promotion is under way or was left unmerged. "
                + $"Nothing was written; merge or delete that branch (git branch -D {branch}) and promote again.");
        }

        refLock.Commit(commit, signature, "mlops: " + Subject(repository, commit));
        return new WriteOutcome(PromotionStatus.Promoted, commit, branch, false);
    }

    private static WriteOutcome MoveCurrentBranch(GitRepository repository, EnvironmentChange change, string commit, string? baseBlob, string blob, GitSignature signature, CancellationToken cancellationToken)
    {
        var head = repository.Head;
        if (head.IsDetached || head.IsUnborn)
        {
            throw new PromotionException(PromotionFailure.InvalidState,
                "HEAD is not on a branch, so there is no current branch to commit to. Check out a branch, or commit on a new branch instead.");
        }

        var name = head.CanonicalName!;
        var branch = head.Branch!;
        using (var refLock = repository.LockRef(name, cancellationToken))
        {
            var current = refLock.Current ?? throw new PromotionException(PromotionFailure.Conflict,
                $"branch {branch} was deleted while the change to {change.Path} was being prepared. Nothing was written.");
            if (current != change.Base)
            {
                // The branch moved. Build on it only if the environment file is still the one the edit was computed from.
                var tip = repository.FindCommit(current);
                var tipBlob = tip is null ? null : repository.FindFile(tip.Sha, change.Path)?.Id;
                if (tip is null || tipBlob != baseBlob)
                {
                    throw new PromotionException(PromotionFailure.Conflict,
                        $"{change.Path} changed while this change was being prepared: {branch} moved from {Short(change.Base)} to {Short(current)}"
                        + (tip is null ? "" : $" (\"{tip.Subject}\")")
                        + ". Nothing was written, so no update is lost; run it again to build on the new state.");
                }

                commit = repository.CreateCommit(tip.Sha, change.Path, blob, change.Message, signature);
            }

            refLock.Commit(commit, signature, "mlops: " + Subject(repository, commit));
        }

        var updated = baseBlob is not null && repository.UpdateWorkingFile(change.Path, baseBlob, blob);
        return new WriteOutcome(PromotionStatus.Promoted, commit, branch, updated);
    }

    /// <summary>The new blob of the text, with a byte order mark when the base file had one.</summary>
    private static string CreateBlob(GitRepository repository, string text, string? baseBlob)
    {
        var bom = baseBlob is not null && repository.ReadBlob(baseBlob) is [0xEF, 0xBB, 0xBF, ..];
        var bytes = new UTF8Encoding(bom).GetPreamble().Concat(new UTF8Encoding(false).GetBytes(text)).ToArray();
        return repository.CreateBlob(bytes);
    }

    private static string Subject(GitRepository repository, string commit) =>
        repository.FindCommit(commit)?.Subject ?? throw new InvalidOperationException($"The commit {commit} just written cannot be read back.");

    internal static string Short(string sha) => sha[..Math.Min(12, sha.Length)];
}
