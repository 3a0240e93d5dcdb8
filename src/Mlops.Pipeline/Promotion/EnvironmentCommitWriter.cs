using System.Text;
using LibGit2Sharp;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.Promotion;

/// <summary>One environment file change to commit: the file's new text on top of <see cref="Base"/>.</summary>
/// <param name="Path">The environment file, relative to the repository root.</param>
/// <param name="Base">The commit the edit was computed from.</param>
/// <param name="NewText">The file's new content.</param>
/// <param name="Message">The commit message.</param>
/// <param name="Target">Where the commit goes.</param>
/// <param name="Branch">For <see cref="CommitTarget.NewBranch"/>: the branch to create (without <c>refs/heads/</c>).</param>
internal sealed record EnvironmentChange(string Path, Commit Base, string NewText, string Message, CommitTarget Target, string? Branch);

/// <summary>What <see cref="EnvironmentCommitWriter.Write"/> did.</summary>
internal sealed record WriteOutcome(PromotionStatus Status, string Commit, string Branch, bool WorkingTreeUpdated);

/// <summary>
/// Writes an environment change as a commit without checking anything out: the new blob goes into a copy of the
/// base commit's tree, the commit is created in the object database, and only then is a ref moved, by
/// compare-and-swap under git's ref lock (<see cref="GitRefLock"/>). So two promotions racing for the same
/// environment cannot lose an update: the second sees the ref moved and the file changed, and fails.
/// </summary>
internal static class EnvironmentCommitWriter
{
    public static WriteOutcome Write(Repository repository, EnvironmentChange change, Signature signature, Action? beforeRefUpdate, CancellationToken cancellationToken)
    {
        var baseEntry = change.Base.Tree[change.Path];
        var baseBlob = baseEntry?.Target as Blob;
        var blob = CreateBlob(repository, change.NewText, baseBlob);
        var commit = CreateCommit(repository, change.Base, change.Path, blob, baseEntry?.Mode ?? Mode.NonExecutableFile, change.Message, signature);
        beforeRefUpdate?.Invoke();

        try
        {
            return change.Target == CommitTarget.NewBranch
                ? CreateBranch(repository, change, commit, blob, signature, cancellationToken)
                : MoveCurrentBranch(repository, change, commit, baseBlob, blob, baseEntry?.Mode ?? Mode.NonExecutableFile, signature, cancellationToken);
        }
        catch (GitRefException e)
        {
            throw new PromotionException(PromotionFailure.Conflict, e.Message + " Nothing was written.", e);
        }
    }

    private static WriteOutcome CreateBranch(Repository repository, EnvironmentChange change, Commit commit, Blob blob, Signature signature, CancellationToken cancellationToken)
    {
        var branch = change.Branch ?? throw new InvalidOperationException("A new-branch change needs a branch name.");
        var name = "refs/heads/" + branch;
        using var refLock = GitRefLock.Acquire(repository, name, cancellationToken);
        if (refLock.Current is { } existing)
        {
            var tip = repository.Lookup<Commit>(existing);
            if (tip?.Tree[change.Path]?.Target.Id == blob.Id)
            {
                return new WriteOutcome(PromotionStatus.UpToDate, tip.Sha, branch, false);
            }

            throw new PromotionException(PromotionFailure.Conflict,
                $"branch {branch} already exists (at {Short(existing.Sha)}) with another change to {change.Path}: the same promotion is under way or was left unmerged. "
                + $"Nothing was written; merge or delete that branch (git branch -D {branch}) and promote again.");
        }

        refLock.Commit(commit.Id, signature, "mlops: " + commit.MessageShort);
        return new WriteOutcome(PromotionStatus.Promoted, commit.Sha, branch, false);
    }

    private static WriteOutcome MoveCurrentBranch(Repository repository, EnvironmentChange change, Commit commit, Blob? baseBlob, Blob blob, Mode mode, Signature signature, CancellationToken cancellationToken)
    {
        if (repository.Info.IsHeadDetached || repository.Info.IsHeadUnborn)
        {
            throw new PromotionException(PromotionFailure.InvalidState,
                "HEAD is not on a branch, so there is no current branch to commit to. Check out a branch, or commit on a new branch instead.");
        }

        var name = repository.Head.CanonicalName;
        var branch = repository.Head.FriendlyName;
        using (var refLock = GitRefLock.Acquire(repository, name, cancellationToken))
        {
            var current = refLock.Current ?? throw new PromotionException(PromotionFailure.Conflict,
                $"branch {branch} was deleted while the change to {change.Path} was being prepared. Nothing was written.");
            if (current != change.Base.Id)
            {
                // The branch moved. Build on it only if the environment file is still the one the edit was computed from.
                var tip = repository.Lookup<Commit>(current);
                var tipBlob = tip?.Tree[change.Path]?.Target as Blob;
                if (tip is null || tipBlob?.Id != baseBlob?.Id)
                {
                    throw new PromotionException(PromotionFailure.Conflict,
                        $"{change.Path} changed while this change was being prepared: {branch} moved from {Short(change.Base.Sha)} to {Short(current.Sha)}"
                        + (tip is null ? "" : $" (\"{tip.MessageShort}\")")
                        + ". Nothing was written, so no update is lost; run it again to build on the new state.");
                }

                commit = CreateCommit(repository, tip, change.Path, blob, mode, change.Message, signature);
            }

            refLock.Commit(commit.Id, signature, "mlops: " + commit.MessageShort);
        }

        return new WriteOutcome(PromotionStatus.Promoted, commit.Sha, branch, SyncWorkingTree(repository, change.Path, baseBlob, blob));
    }

    /// <summary>Updates the working tree file and the index entry to the new blob, if both held the base content (the user's edits are never overwritten).</summary>
    private static bool SyncWorkingTree(Repository repository, string path, Blob? baseBlob, Blob blob)
    {
        if (repository.Info.IsBare || baseBlob is null)
        {
            return false;
        }

        var file = System.IO.Path.Combine(repository.Info.WorkingDirectory, path);
        var indexEntry = repository.Index[path];
        if (!File.Exists(file) || indexEntry?.Id != baseBlob.Id || !File.ReadAllBytes(file).AsSpan().SequenceEqual(Bytes(baseBlob)))
        {
            return false;
        }

        File.WriteAllBytes(file, Bytes(blob));
        repository.Index.Add(path);
        repository.Index.Write();
        return true;
    }

    private static Blob CreateBlob(Repository repository, string text, Blob? baseBlob)
    {
        var bom = baseBlob is not null && Bytes(baseBlob) is [0xEF, 0xBB, 0xBF, ..];
        var bytes = new UTF8Encoding(bom).GetPreamble().Concat(new UTF8Encoding(false).GetBytes(text)).ToArray();
        using var stream = new MemoryStream(bytes);
        return repository.ObjectDatabase.CreateBlob(stream);
    }

    private static Commit CreateCommit(Repository repository, Commit parent, string path, Blob blob, Mode mode, string message, Signature signature)
    {
        var tree = TreeDefinition.From(parent.Tree);
        tree.Add(path, blob, mode);
        return repository.ObjectDatabase.CreateCommit(signature, signature, message, repository.ObjectDatabase.CreateTree(tree), [parent], prettifyMessage: false);
    }

    private static byte[] Bytes(Blob blob)
    {
        using var stream = blob.GetContentStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    internal static string Short(string sha) => sha[..Math.Min(12, sha.Length)];
}
