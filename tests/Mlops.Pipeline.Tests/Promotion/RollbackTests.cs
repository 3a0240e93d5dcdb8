using Mlops.Pipeline.Promotion;

namespace Mlops.Pipeline.Tests.Promotion;

public sealed class RollbackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rollback_AfterTwoPromotions_RestoresThePinBeforeTheLastWithANewCommit()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var afterV7 = repo.FileOnMain("staging");
        var v8 = await repo.PromoteOnMainAsync("staging", 8);

        var result = await new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct);

        Assert.Equal(afterV7, repo.FileOnMain("staging"));
        Assert.Equal((result.Commit, v8.Commit), (repo.Git.Head, result.RevertedCommit));
        Assert.Equal("4\n", repo.Git.Git("rev-list", "--count", "main"));
        Assert.Equal(afterV7, repo.Git.Read("environments/staging.yaml"));
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Rollback_CommitMessage_NamesTheChangeAndTheUndoneCommitInTrailers()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var v8 = await repo.PromoteOnMainAsync("staging", 8);

        await new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct);

        Assert.Equal($"""
            Roll back staging: churn v8 -> v7

            Reverts {v8.Commit![..12]} "Promote churn v8 to staging".
            environments/staging.yaml is restored as it was before that promotion.

            Mlops-Rollback: {v8.Commit}
            Mlops-Environment: staging


            """, repo.Git.Git("log", "-1", "--format=%B"));
    }

    [Fact]
    public async Task Rollback_Twice_WalksBackThroughThePromotions()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("staging", 8);
        var rollback = new Rollback(repo.Git.Time);

        await rollback.RunAsync(repo.Git.Path, "staging", Ct);
        var second = await rollback.RunAsync(repo.Git.Path, "staging", Ct);

        Assert.Equal(EnvironmentFileEditorTests.ReadInput("staging"), repo.FileOnMain("staging"));
        Assert.Equal("Roll back staging: churn v7 -> (not pinned)", second.Message.Split('\n')[0]);
    }

    [Fact]
    public async Task Rollback_WithALaterEditToOtherLines_KeepsTheEdit()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("staging", 8);
        var edited = repo.FileOnMain("staging").Replace("window: 1h", "window: 30m", StringComparison.Ordinal);
        repo.Git.Commit("Watch staging in 30-minute windows", ("environments/staging.yaml", edited));

        var result = await new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct);

        var file = repo.FileOnMain("staging");
        Assert.True(result.KeptLaterChanges);
        Assert.Contains("window: 30m", file, StringComparison.Ordinal);
        Assert.Contains("    version: 7\n", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WithALaterEditToTheSameLines_IsRefused()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var v8 = await repo.PromoteOnMainAsync("staging", 8);
        repo.Git.Commit("Hand edit", ("environments/staging.yaml", repo.FileOnMain("staging").Replace("version: 8", "version: 9", StringComparison.Ordinal)
            .Replace(PromotionRepository.Digest8, PromotionRepository.Digest9, StringComparison.Ordinal)));
        var head = repo.Git.Head;

        var error = await Assert.ThrowsAsync<PromotionException>(() => new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct));

        Assert.Equal(PromotionFailure.Conflict, error.Failure);
        Assert.Equal($"environments/staging.yaml was changed after {v8.Commit![..12]} \"Promote churn v8 to staging\" in the same lines, so the promotion cannot be undone automatically. "
            + $"Nothing was written; revert it by hand (git revert {v8.Commit[..12]}) and resolve the conflict.", error.Message);
        Assert.Equal(head, repo.Git.Head);
    }

    [Fact]
    public async Task Rollback_WithoutAnyPromotion_IsRefused()
    {
        using var repo = new PromotionRepository();

        var error = await Assert.ThrowsAsync<PromotionException>(() => new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct));

        Assert.Equal(PromotionFailure.InvalidState, error.Failure);
        Assert.StartsWith("environments/staging.yaml has no promotion left to roll back", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_OfAMergedPromotionBranch_RevertsTheMerge()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var afterV7 = repo.FileOnMain("staging");
        var v8 = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);
        repo.Git.Commit("Unrelated work on main", ("README.md", "x\n"));
        repo.Git.Git("merge", "--no-ff", "-m", "Merge pull request #12 from promote/churn-v8-staging", v8.Branch!);

        var result = await new Rollback(repo.Git.Time).RunAsync(repo.Git.Path, "staging", Ct);

        Assert.Equal(afterV7, repo.FileOnMain("staging"));
        Assert.Equal(("churn", 8), (result.Reverted!.Model, result.Reverted.Version));
        Assert.Equal("x\n", repo.Git.Show("main", "README.md"));
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Rollback_OnANewBranch_LeavesMainAlone()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var v8 = await repo.PromoteOnMainAsync("staging", 8);

        var result = await new Rollback(repo.Git.Time).RunAsync(new RollbackRequest(repo.Git.Path, "staging") { Target = CommitTarget.NewBranch }, Ct);

        Assert.Equal($"rollback/staging-{v8.Commit![..12]}", result.Branch);
        Assert.Equal(v8.Commit, repo.Git.Head);
        Assert.Contains("    version: 7\n", repo.Git.Show(result.Branch, "environments/staging.yaml"), StringComparison.Ordinal);
    }
}
