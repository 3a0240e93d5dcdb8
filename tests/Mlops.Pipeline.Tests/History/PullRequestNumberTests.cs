using Mlops.Pipeline.History;
using Mlops.Pipeline.Tests.Promotion;

namespace Mlops.Pipeline.Tests.History;

/// <summary>The pull request a history entry names, as GitHub writes it into merge and squash commits.</summary>
public sealed class PullRequestNumberTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Merge pull request #42 from acme/promote/churn-v8-production", 42)]
    [InlineData("Merge pull request #3", 3)]
    [InlineData("Promote churn v8 to production (#117)", 117)]
    [InlineData("Promote churn v8 to production", null)]
    [InlineData("Fix #12 in the docs", null)]
    [InlineData("Merge branch 'promote/churn-v8-production'", null)]
    public void PullRequest_FromTheSubject(string subject, int? expected)
    {
        var revision = new EnvironmentRevision("0123456789abcdef0123456789abcdef01234567", DateTimeOffset.UnixEpoch, "Ada <ada@example.invalid>", subject, [], true, [], null, null);

        Assert.Equal(expected, revision.PullRequest);
    }

    [Fact]
    public async Task Load_MergedPullRequest_NamesItsNumber()
    {
        using var repo = new PromotionRepository();
        var promotion = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);
        repo.Git.Git("merge", "--no-ff", "-m", "Merge pull request #57 from acme/promote/churn-v8-staging", promotion.Branch!);

        var latest = EnvironmentHistory.Load(repo.Git.Path, "staging").Revisions[0];

        Assert.Equal(57, latest.PullRequest);
    }
}
