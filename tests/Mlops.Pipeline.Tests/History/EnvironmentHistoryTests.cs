using Mlops.Pipeline.History;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Tests.Promotion;

namespace Mlops.Pipeline.Tests.History;

public sealed class EnvironmentHistoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Load_ListsEveryCommitThatChangedTheFileNewestFirstWithItsPins()
    {
        using var repo = new PromotionRepository();
        repo.Git.Time.Advance(TimeSpan.FromDays(1));
        var v7 = await repo.PromoteOnMainAsync("staging", 7);
        repo.Git.Commit("Unrelated", ("README.md", "x\n"));
        repo.Git.Time.Advance(TimeSpan.FromDays(1));
        var v8 = await repo.PromoteOnMainAsync("staging", 8);

        var history = EnvironmentHistory.Load(repo.Git.Path, "staging");

        Assert.Equal([v8.Commit, v7.Commit, repo.Initial], history.Revisions.Select(r => r.Commit));
        Assert.Equal(["Promote churn v8 to staging", "Promote churn v7 to staging", "Declarations"], history.Revisions.Select(r => r.Subject));
        Assert.Equal([8, 7], history.Revisions.Take(2).Select(r => r.Pin("churn")!.Version));
        Assert.Empty(history.Revisions[2].Pins);
        Assert.Equal(repo.Git.Time.GetUtcNow(), history.Revisions[0].Date);
        Assert.Equal("Ada Tester <ada@example.invalid>", history.Revisions[0].Author);
        Assert.Equal(new PromotionRecord("churn", 8, "staging", "full", PromotionRepository.Digest8), history.Revisions[0].Promotion);
    }

    [Fact]
    public async Task AsOf_ADate_GivesWhatWasPinnedThen()
    {
        using var repo = new PromotionRepository();
        repo.Git.Time.Advance(TimeSpan.FromDays(1));
        await repo.PromoteOnMainAsync("staging", 7);
        var v7Date = repo.Git.Time.GetUtcNow();
        repo.Git.Time.Advance(TimeSpan.FromDays(7));
        await repo.PromoteOnMainAsync("staging", 8);

        var history = EnvironmentHistory.Load(repo.Git.Path, "staging");

        Assert.Equal(7, history.AsOf(v7Date.AddDays(3))!.Pin("churn")!.Version);
        Assert.Equal(8, history.AsOf(v7Date.AddDays(30))!.Pin("churn")!.Version);
        Assert.Null(history.AsOf(v7Date.AddDays(-1))!.Pin("churn"));
        Assert.Null(history.AsOf(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task Load_MergedPromotionBranch_IsDatedWhenMergedAndCarriesTheBranchPromotion()
    {
        using var repo = new PromotionRepository();
        var promotion = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);
        repo.Git.Git("merge", "--no-ff", "-m", "Merge pull request #3", promotion.Branch!);

        var latest = EnvironmentHistory.Load(repo.Git.Path, "staging").Revisions[0];

        Assert.Equal((repo.Git.Head, "Merge pull request #3"), (latest.Commit, latest.Subject));
        Assert.Equal(new PromotionRecord("churn", 8, "staging", "full", PromotionRepository.Digest8), latest.Promotion);
        Assert.Equal(8, latest.Pin("churn")!.Version);
    }

    [Fact]
    public async Task WasPinned_CountsPastPrimaryAndCanaryVersionsOnly()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 5);
        await repo.PromoteOnMainAsync("staging", 6, PromotionMode.Canary, weight: 5);
        await repo.PromoteOnMainAsync("staging", 6, PromotionMode.AbortCanary);
        await repo.PromoteOnMainAsync("staging", 7, PromotionMode.Shadow);

        var history = EnvironmentHistory.Load(repo.Git.Path, "staging");

        Assert.Equal([true, true, false, false], new[] { 5, 6, 7, 8 }.Select(v => history.WasPinned("churn", v)));
    }

    [Fact]
    public void Environments_ListsTheEnvironmentFilesAtARevision()
    {
        using var repo = new PromotionRepository();

        Assert.Equal(["production", "staging"], EnvironmentHistory.Environments(repo.Git.Path));
    }
}
