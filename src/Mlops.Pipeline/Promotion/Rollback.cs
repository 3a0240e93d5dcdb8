using Mlops.Pipeline.History;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Promotion;

/// <summary>Which environment to roll back, and where the rollback commit goes.</summary>
/// <param name="RepositoryPath">The repository's root or a folder inside it.</param>
/// <param name="Environment">The environment to roll back.</param>
public sealed record RollbackRequest(string RepositoryPath, string Environment)
{
    /// <summary>Where the commit goes. The default is <see cref="CommitTarget.CurrentBranch"/>: a rollback is usually urgent.</summary>
    public CommitTarget Target { get; init; } = CommitTarget.CurrentBranch;

    /// <summary>A remote to push the branch to; null (the default) pushes nothing.</summary>
    public string? PushTo { get; init; }

    /// <summary>Where a token for <see cref="PushTo"/> comes from if the remote asks for one; null (the default) reads the environment (MLOPS_GIT_TOKEN, GITHUB_TOKEN, then the git credential helper).</summary>
    public GitCredentialSource? Credentials { get; init; }
}

/// <summary>What a rollback did.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="Path">The environment file.</param>
/// <param name="Commit">The rollback commit.</param>
/// <param name="Branch">The branch it was written to.</param>
/// <param name="RevertedCommit">The promotion commit undone (for a merged promotion branch, the merge).</param>
/// <param name="RevertedSubject">That commit's subject.</param>
/// <param name="Reverted">The promotion its trailers record.</param>
/// <param name="Diff">What the rollback changes, model by model.</param>
/// <param name="Message">The commit message.</param>
/// <param name="KeptLaterChanges">True when later edits of the file (after the promotion) were kept by a three-way merge.</param>
/// <param name="Pushed">Whether the branch was pushed.</param>
/// <param name="WorkingTreeUpdated">For <see cref="CommitTarget.CurrentBranch"/>: whether the working tree file and the index were updated too.</param>
public sealed record RollbackResult(
    string Environment,
    string Path,
    string Commit,
    string Branch,
    string RevertedCommit,
    string RevertedSubject,
    PromotionRecord? Reverted,
    EnvironmentDiff Diff,
    string Message,
    bool KeptLaterChanges,
    bool Pushed,
    bool WorkingTreeUpdated);

/// <summary>
/// Rolls an environment back: a new commit that restores <c>environments/ENV.yaml</c> as it was before its last
/// promotion not yet rolled back (history is kept; a second rollback undoes the promotion before that). The last
/// promotion is the newest commit on the first-parent line that changed the file and carries a
/// <see cref="PromotionTrailers.Promotion"/> trailer (a merge counts when its merged branch's tip does). Edits made
/// to the file after that promotion are kept when they touch other lines (a three-way merge, like <c>git revert</c>).
/// </summary>
public sealed class Rollback
{
    private readonly TimeProvider _time;
    private readonly GitIdentity? _identity;

    /// <summary>A rollback runner.</summary>
    /// <param name="time">The clock for commit dates. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="identity">Who authors the commits. The default is git's configured <c>user.name</c> and <c>user.email</c>.</param>
    public Rollback(TimeProvider? time = null, GitIdentity? identity = null)
    {
        _time = time ?? TimeProvider.System;
        _identity = identity;
    }

    /// <summary>Called after the commit is built and before the ref is moved; tests use it to race.</summary>
    internal Action? BeforeRefUpdate { get; set; }

    /// <summary>Rolls back <paramref name="environment"/> with a commit on the current branch.</summary>
    /// <exception cref="PromotionException">There is nothing to roll back, later changes conflict, or the branch moved meanwhile; nothing was written.</exception>
    public Task<RollbackResult> RunAsync(string repositoryPath, string environment, CancellationToken cancellationToken = default) =>
        RunAsync(new RollbackRequest(repositoryPath, environment), cancellationToken);

    /// <summary>Rolls back an environment.</summary>
    /// <exception cref="PromotionException">There is nothing to roll back, later changes conflict, or the branch moved meanwhile; nothing was written.</exception>
    public Task<RollbackResult> RunAsync(RollbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return Task.FromResult(Run(request, cancellationToken)); // git work is synchronous; refusals travel in the task
        }
        catch (Exception e) when (e is PromotionException or OperationCanceledException)
        {
            return Task.FromException<RollbackResult>(e);
        }
    }

    private RollbackResult Run(RollbackRequest request, CancellationToken cancellationToken)
    {
        using var repository = Promoter.Open(request.RepositoryPath);
        var head = repository.Head.Commit ?? throw new PromotionException(PromotionFailure.NotARepository,
            "the repository has no commit yet, so there is nothing to roll back.");
        var history = EnvironmentHistory.Load(repository, request.Environment, head);
        var path = history.Path;
        var headFile = repository.FindFile(head, path) ?? throw Promoter.EnvironmentNotFound(repository, head, request.Environment);

        var target = LastPromotion(history) ?? throw new PromotionException(PromotionFailure.InvalidState,
            $"{path} has no promotion left to roll back: no commit that changed it carries a '{PromotionTrailers.Promotion}:' trailer, or all were rolled back already. Nothing was written; restore an older version by hand (git revert).");
        var promotion = repository.FindCommit(target.Commit)
            ?? throw new InvalidOperationException($"The commit {target.Commit} just read from the history cannot be read back.");
        if (repository.FindFile(promotion.Parents[0], path) is not { } beforeFile)
        {
            throw new PromotionException(PromotionFailure.InvalidState,
                $"the last promotion ({EnvironmentCommitWriter.Short(promotion.Sha)} \"{promotion.Subject}\") created {path}, so there is no earlier version to restore. Nothing was written; delete the file or edit it by hand.");
        }

        var keptLaterChanges = repository.FindFile(promotion.Sha, path)?.Id != headFile.Id;
        var restored = keptLaterChanges ? ThreeWay(repository, promotion, head, path) : repository.ReadBlobText(beforeFile.Id);
        var current = repository.ReadBlobText(headFile.Id);
        if (restored == current)
        {
            throw new PromotionException(PromotionFailure.InvalidState,
                $"{path} is already as it was before {EnvironmentCommitWriter.Short(promotion.Sha)} \"{promotion.Subject}\". Nothing was written.");
        }

        EnvironmentDiff diff;
        try
        {
            EnvironmentFileEditor.Parse(path, restored);
            diff = EnvironmentDiff.Compare(request.Environment, path, current, restored);
        }
        catch (EnvironmentEditException e)
        {
            throw new PromotionException(PromotionFailure.InvalidEnvironmentFile,
                $"restoring {path} as it was before {EnvironmentCommitWriter.Short(promotion.Sha)} gives a file with errors, so it was not committed:\n{e.Message}", e);
        }

        var message = $"Roll back {request.Environment}: {diff.Summary()}\n\n"
            + $"Reverts {EnvironmentCommitWriter.Short(promotion.Sha)} \"{promotion.Subject}\".\n"
            + $"{path} is restored as it was before that promotion{(keptLaterChanges ? "; later changes to other lines are kept" : "")}.\n\n"
            + $"{PromotionTrailers.Rollback}: {promotion.Sha}\n{PromotionTrailers.Environment}: {request.Environment}\n";
        var signature = GitIdentity.TrySign(repository, _identity, _time)
            ?? throw new PromotionException(PromotionFailure.NoIdentity, GitIdentity.MissingMessage);
        var branch = request.Target == CommitTarget.NewBranch ? $"rollback/{request.Environment}-{EnvironmentCommitWriter.Short(promotion.Sha)}" : null;
        var outcome = EnvironmentCommitWriter.Write(repository, new EnvironmentChange(path, head, restored, message, request.Target, branch), signature, BeforeRefUpdate, cancellationToken);
        var pushed = request.PushTo is { } remote && Promoter.Push(repository, remote, outcome.Branch, outcome.Commit, request.Credentials);
        return new RollbackResult(request.Environment, path, outcome.Commit, outcome.Branch, promotion.Sha, promotion.Subject,
            target.Promotion, diff, message, keptLaterChanges, pushed, outcome.WorkingTreeUpdated);
    }

    /// <summary>The newest promotion not undone by a later rollback.</summary>
    private static EnvironmentRevision? LastPromotion(EnvironmentHistory history)
    {
        var undone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var revision in history.Revisions)
        {
            if (revision.RolledBack is { } sha)
            {
                undone.Add(sha);
            }
            else if (revision.Promotion is not null && !undone.Contains(revision.Commit))
            {
                return revision;
            }
        }

        return null;
    }

    /// <summary>The file at <paramref name="head"/> with the promotion's change to it reverted, like <c>git revert</c>; refuses on conflicts.</summary>
    private static string ThreeWay(GitRepository repository, GitCommit promotion, string head, string path)
    {
        var mainline = promotion.Parents.Count > 1 ? 1 : 0;
        if (repository.RevertFile(promotion.Sha, head, mainline, path) is not { } text)
        {
            throw new PromotionException(PromotionFailure.Conflict,
                $"{path} was changed after {EnvironmentCommitWriter.Short(promotion.Sha)} \"{promotion.Subject}\" in the same lines, so the promotion cannot be undone automatically. "
                + $"Nothing was written; revert it by hand (git revert {(mainline == 1 ? "-m 1 " : "")}{EnvironmentCommitWriter.Short(promotion.Sha)}) and resolve the conflict.");
        }

        return text;
    }
}
