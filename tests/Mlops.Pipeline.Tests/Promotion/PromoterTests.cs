using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Tests.Registry;

namespace Mlops.Pipeline.Tests.Promotion;

public sealed class PromoterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Promote_ToStaging_CommitsTheEditOnAPromoteBranchAndLeavesMainAndTheWorkingTreeAlone()
    {
        using var repo = new PromotionRepository();

        var result = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);

        Assert.Equal((PromotionStatus.Promoted, "promote/churn-v8-staging"), (result.Status, result.Branch));
        EnvironmentFileEditorTests.AssertExpected("staging.promote-churn-v8.yaml", repo.Git.Show("promote/churn-v8-staging", "environments/staging.yaml"));
        Assert.Equal(repo.Initial, repo.Git.Head);
        Assert.Equal(EnvironmentFileEditorTests.ReadInput("staging"), repo.Git.Read("environments/staging.yaml"));
        Assert.Equal("", repo.Git.Git("status", "--porcelain"));
        Assert.Equal("environments/staging.yaml\n", repo.Git.Git("diff", "--name-only", "main", "promote/churn-v8-staging"));
        Assert.Equal(repo.Initial + "\n", repo.Git.Git("log", "-1", "--format=%P", "promote/churn-v8-staging"));
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_CommitMessage_HasSubjectDigestsGateSummaryAndTrailers()
    {
        using var repo = new PromotionRepository();

        await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);

        var message = repo.Git.Git("log", "-1", "--format=%B", "promote/churn-v8-staging");
        Assert.Equal($"""
            Promote churn v8 to staging

            environments/staging.yaml: churn (not pinned) -> v8

            Bundle: {PromotionRepository.Digest8} (tag churn@v8, commit {repo.Initial[..12]})
            Feature set: customer@3 {PromotionRepository.Schema3}
            Run: run-8888
            Metrics: auc 0.8291 [0.8102, 0.8477], p99LatencyMs 0.31 (per-slice metrics: git show churn@v8)

            Gate: passed (1 rule)

            | Rule | Candidate | Verdict |
            |---|---|---|
            | auc >= 0.80 | 0.8291 | passed |

            Mlops-Promotion: churn@v8 -> staging
            Mlops-Mode: full
            Mlops-Bundle: {PromotionRepository.Digest8}


            """, message);
        Assert.Equal("churn@v8 -> staging\n\n", repo.Git.Git("log", "-1", "--format=%(trailers:key=Mlops-Promotion,valueonly)", "promote/churn-v8-staging"));
        Assert.Equal($"{GitTestRepository.UserName} <{GitTestRepository.UserEmail}> {repo.Git.Time.GetUtcNow().ToUnixTimeSeconds()}\n",
            repo.Git.Git("log", "-1", "--format=%an <%ae> %at", "promote/churn-v8-staging"));
    }

    [Fact]
    public async Task Promote_OnCurrentBranch_MovesMainAndUpdatesTheWorkingTreeAndIndex()
    {
        using var repo = new PromotionRepository();

        var result = await repo.PromoteOnMainAsync("staging", 8);

        Assert.Equal(("main", true), (result.Branch, result.WorkingTreeUpdated));
        Assert.Equal(result.Commit, repo.Git.Head);
        Assert.Equal(repo.FileOnMain("staging"), repo.Git.Read("environments/staging.yaml"));
        Assert.Equal("", repo.Git.Git("status", "--porcelain"));
        Assert.Contains("mlops: Promote churn v8 to staging", repo.Git.Git("reflog", "-1", "main"), StringComparison.Ordinal);
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_OnCurrentBranchKeptInPackedRefs_MovesIt()
    {
        using var repo = new PromotionRepository();
        repo.Git.Git("pack-refs", "--all");

        var result = await repo.PromoteOnMainAsync("staging", 8);

        Assert.Equal(result.Commit, repo.Git.Head);
        Assert.Equal(result.Commit + "\n", repo.Git.Git("rev-parse", "main"));
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_OnCurrentBranchWithTheFileEditedLocally_KeepsTheLocalEdit()
    {
        using var repo = new PromotionRepository();
        repo.Git.Write("environments/staging.yaml", EnvironmentFileEditorTests.ReadInput("staging") + "# my note\n");

        var result = await repo.PromoteOnMainAsync("staging", 8);

        Assert.False(result.WorkingTreeUpdated);
        Assert.EndsWith("# my note\n", repo.Git.Read("environments/staging.yaml"), StringComparison.Ordinal);
        Assert.Contains("version: 8", repo.FileOnMain("staging"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_WithoutVersion_PromotesTheLatestRegistered()
    {
        using var repo = new PromotionRepository();

        var result = await repo.Promoter().PromoteAsync(repo.Request("staging"), Ct);

        Assert.Equal((9, "promote/churn-v9-staging"), (result.Version, result.Branch));
        Assert.Contains("featureSet: customer@4", repo.Git.Show("promote/churn-v9-staging", "environments/staging.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_SameVersionAgain_IsUpToDateAndWritesNothing()
    {
        using var repo = new PromotionRepository();
        var first = await repo.PromoteOnMainAsync("staging", 8);

        var again = await repo.PromoteOnMainAsync("staging", 8);

        Assert.Equal((PromotionStatus.UpToDate, first.Commit), (again.Status, repo.Git.Head));
    }

    [Fact]
    public async Task Promote_SameBranchTwice_SecondIsUpToDate()
    {
        using var repo = new PromotionRepository();
        var first = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);

        var again = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct);

        Assert.Equal((PromotionStatus.UpToDate, first.Commit), (again.Status, again.Commit));
    }

    [Fact]
    public async Task Promote_UnregisteredVersion_IsRefusedAndNothingIsWritten()
    {
        using var repo = new PromotionRepository();

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("staging", 12), Ct));

        Assert.Equal(PromotionFailure.NotRegistered, error.Failure);
        Assert.Equal("churn@v12 is not registered (no such tag), so it cannot be promoted. Nothing was written; list the versions with 'mlops registry list churn', or package the model first.", error.Message);
        Assert.Equal("main\n", repo.Branches());
    }

    [Fact]
    public async Task Promote_BundleMissingFromTheStore_IsRefusedAndNothingIsWritten()
    {
        using var repo = new PromotionRepository();
        var store = new InMemoryBundleStore();
        store.Add(PromotionRepository.Digest7);

        var error = await Assert.ThrowsAsync<PromotionException>(() => new Promoter(repo.Git.Time, store).PromoteAsync(repo.Request("staging", 8), Ct));

        Assert.Equal(PromotionFailure.BundleMissing, error.Failure);
        Assert.StartsWith($"tag churn@v8 points to bundle {PromotionRepository.Digest8}, which is not in the store at memory://test", error.Message, StringComparison.Ordinal);
        Assert.Equal("main\n", repo.Branches());
    }

    [Fact]
    public async Task Promote_PinnedDigestDiffersFromItsTag_IsRefusedAsTamperedWithItsLocation()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        var tampered = repo.FileOnMain("staging").Replace(PromotionRepository.Digest7, PromotionRepository.Digest9, StringComparison.Ordinal);
        repo.Git.Commit("Edit the digest by hand", ("environments/staging.yaml", tampered));
        var head = repo.Git.Head;

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct));

        Assert.Equal(PromotionFailure.DigestMismatch, error.Failure);
        Assert.StartsWith(
            $"environments/staging.yaml(8,13): environments/staging.yaml pins churn v7 with digest {PromotionRepository.Digest9}, but tag churn@v7 records {PromotionRepository.Digest7}.\n"
            + "The file was edited by hand or tampered with (or the tags are missing), so mlops will not build on it. Nothing was written;", error.Message, StringComparison.Ordinal);
        Assert.Equal(("main\n", head), (repo.Branches(), repo.Git.Head));
    }

    [Fact]
    public async Task Promote_PinnedVersionWithoutTag_IsRefusedWithTheFetchHint()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        repo.Git.Git("tag", "-d", "churn@v7");

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("staging", 8), Ct));

        Assert.Equal(PromotionFailure.DigestMismatch, error.Failure);
        Assert.StartsWith("environments/staging.yaml(7,14): environments/staging.yaml pins churn v7, but churn@v7 is not a registered version (no readable tag; on a fresh clone, fetch the tags with git fetch --tags).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_ToProductionBeforeStaging_IsRefusedByPromotedFrom()
    {
        using var repo = new PromotionRepository();

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("production", 8), Ct));

        Assert.Equal(PromotionFailure.RequirementsNotMet, error.Failure);
        Assert.Equal(
            "churn@v8 cannot be promoted to production: its requirements are not met. Nothing was written.\n"
            + "environments/production.yaml(6,27): production requires a version promoted to staging first, and churn@v8 has never been pinned in environments/staging.yaml. Promote it to staging first.",
            error.Message);
        Assert.Equal("main\n", repo.Branches());
    }

    [Fact]
    public async Task Promote_ToProductionOfAVersionOnceInStaging_IsAllowedAfterStagingMovedOn()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 8);
        await repo.PromoteOnMainAsync("staging", 9);

        var result = await repo.Promoter().PromoteAsync(repo.Request("production", 8), Ct);

        Assert.Equal(PromotionStatus.Promoted, result.Status);
        EnvironmentFileEditorTests.AssertExpected("production.promote-churn-v8.yaml", repo.Git.Show("promote/churn-v8-production", "environments/production.yaml"));
    }

    [Fact]
    public async Task Promote_ToProductionWithoutGateResult_ListsEveryUnmetRequirement()
    {
        using var repo = new PromotionRepository();

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("production", 8) with { Gate = null }, Ct));

        Assert.Equal(
            "churn@v8 cannot be promoted to production: its requirements are not met. Nothing was written.\n"
            + "environments/production.yaml(6,27): production requires a version promoted to staging first, and churn@v8 has never been pinned in environments/staging.yaml. Promote it to staging first;\n"
            + "environments/production.yaml(6,43): production requires passing gates on auc, but no gate result was given. Run the gate (mlops gate churn --environment production) and pass its result.",
            error.Message);
    }

    [Theory]
    [InlineData("recall", true, "production requires a passing gate rule on 'auc', but the gate result has no rule on it.")]
    [InlineData("auc", false, "the gate of churn@v8 failed (auc 0.71 >= 0.80), and a version that failed its gate is never promoted.")]
    public async Task Promote_ToProductionWithGateLackingOrFailingAuc_IsRefused(string metric, bool passed, string reason)
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 8);
        var gate = new GateEvidence("summary", [new GateCheck(metric, passed, $"{metric} 0.71 >= 0.80")]);

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("production", 8) with { Gate = gate }, Ct));

        Assert.Equal(PromotionFailure.RequirementsNotMet, error.Failure);
        Assert.Contains(reason.TrimEnd('.'), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_CanaryThenComplete_MovesTheCanaryUpAndRecordsEachStep()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("production", 7);
        await repo.PromoteOnMainAsync("staging", 8);

        var canary = await repo.PromoteOnMainAsync("production", 8, PromotionMode.Canary, weight: 10);
        var canaryFile = repo.FileOnMain("production");
        var complete = await repo.PromoteOnMainAsync("production", 8, PromotionMode.CompleteCanary);

        Assert.Contains("    canary:\n      version: 8\n      digest: " + PromotionRepository.Digest8 + "\n      weight: 10\n", canaryFile, StringComparison.Ordinal);
        Assert.Equal("Promote churn v8 to production as a 10% canary", canary.Message.Split('\n')[0]);
        Assert.Equal("Complete the canary of churn v8 in production", complete.Message.Split('\n')[0]);
        EnvironmentFileEditorTests.AssertExpected("production.promote-churn-v8.yaml", repo.FileOnMain("production"));
        var modes = repo.Git.Git("log", "-3", "--format=%(trailers:key=Mlops-Mode,valueonly)", "--", "environments/production.yaml")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["complete-canary", "canary 10", "full"], modes);
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_AbortCanary_RemovesItAndKeepsThePrimary()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("production", 7);
        var beforeCanary = repo.FileOnMain("production");
        await repo.PromoteOnMainAsync("staging", 8);
        await repo.PromoteOnMainAsync("production", 8, PromotionMode.Canary, weight: 10);

        var abort = await repo.PromoteOnMainAsync("production", 8, PromotionMode.AbortCanary);

        Assert.Equal(beforeCanary, repo.FileOnMain("production"));
        Assert.Equal("Abort the canary of churn v8 in production", abort.Message.Split('\n')[0]);
    }

    [Fact]
    public async Task Promote_FullWhileACanaryOfAnotherVersionRuns_IsRefused()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("production", 7);
        await repo.PromoteOnMainAsync("staging", 8);
        await repo.PromoteOnMainAsync("staging", 9);
        await repo.PromoteOnMainAsync("production", 8, PromotionMode.Canary, weight: 10);

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.PromoteOnMainAsync("production", 9));

        Assert.Equal(PromotionFailure.InvalidState, error.Failure);
        Assert.Equal("churn has a canary v8 running in production; complete or abort it before promoting v9. Nothing was written.", error.Message);
    }

    [Fact]
    public async Task Promote_ShadowThenCanary_ReplacesTheShadowWithTheCanary()
    {
        using var repo = new PromotionRepository();
        await repo.PromoteOnMainAsync("staging", 7);
        await repo.PromoteOnMainAsync("staging", 8, PromotionMode.Shadow);
        Assert.Contains("    shadow:\n      version: 8\n", repo.FileOnMain("staging"), StringComparison.Ordinal);

        await repo.PromoteOnMainAsync("staging", 8, PromotionMode.Canary, weight: 25);

        var file = repo.FileOnMain("staging");
        Assert.DoesNotContain("shadow", file, StringComparison.Ordinal);
        Assert.Contains("    canary:\n      version: 8\n      digest: " + PromotionRepository.Digest8 + "\n      weight: 25\n", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_UnknownEnvironment_ListsTheKnownOnes()
    {
        using var repo = new PromotionRepository();

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(repo.Request("prod", 8), Ct));

        Assert.Equal(PromotionFailure.EnvironmentNotFound, error.Failure);
        Assert.Equal($"environments/prod.yaml does not exist at {repo.Initial[..12]}, so there is no environment 'prod'. Environments: production, staging.", error.Message);
    }

    [Fact]
    public async Task Promote_InvalidRequest_ReportsEveryProblemInOneError()
    {
        using var repo = new PromotionRepository();
        var request = repo.Request("Prod", 0, PromotionMode.Canary) with { CanaryWeight = 150 };

        var error = await Assert.ThrowsAsync<PromotionException>(() => repo.Promoter().PromoteAsync(request, Ct));

        Assert.Equal(PromotionFailure.InvalidRequest, error.Failure);
        Assert.Equal(
            "the promotion request is invalid: the environment name 'Prod' is not a valid name (lowercase letters, digits, '_' and '-', starting with a letter); "
            + "the version 0 is not 1 or more; the canary weight 150 is not between 1 and 100 percent. Correct them and run it again.",
            error.Message);
    }

    [Fact]
    public async Task Promote_TwoRacingOnTheCurrentBranch_OneWinsTheOtherFailsClearlyAndNoUpdateIsLost()
    {
        using var repo = new PromotionRepository();
        using var bothBuilt = new Barrier(2);
        Promoter Racer()
        {
            var promoter = repo.Promoter();
            promoter.BeforeRefUpdate = () => bothBuilt.SignalAndWait(TimeSpan.FromSeconds(10));
            return promoter;
        }

        var (first, second) = (Racer(), Racer());
        var outcomes = await Task.WhenAll(
            Task.Run(() => Outcome(first, repo.Request("staging", 8, target: CommitTarget.CurrentBranch)), Ct),
            Task.Run(() => Outcome(second, repo.Request("staging", 9, target: CommitTarget.CurrentBranch)), Ct));

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        var loser = Assert.Single(outcomes, o => o.Error is not null).Error!;
        Assert.Equal(PromotionFailure.Conflict, loser.Failure);
        Assert.Matches(
            @"^environments/staging\.yaml changed while this change was being prepared: main moved from [0-9a-f]{12} to [0-9a-f]{12} \(""Promote churn v\d to staging""\)\. Nothing was written, so no update is lost; run it again to build on the new state\.$",
            loser.Message);
        Assert.Equal(winner.Commit, repo.Git.Head);
        Assert.Contains($"version: {winner.Version}\n", repo.FileOnMain("staging"), StringComparison.Ordinal);
        Assert.Equal("2\n", repo.Git.Git("rev-list", "--count", "main"));
        Assert.False(File.Exists(repo.Git.Combine(".git/refs/heads/main.lock")));
        repo.Git.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_BranchMovedByAnUnrelatedCommit_BuildsOnTheNewTip()
    {
        using var repo = new PromotionRepository();
        var promoter = repo.Promoter();
        var unrelated = "";
        promoter.BeforeRefUpdate = () => unrelated = repo.Git.Commit("Unrelated change", ("README.md", "hello\n"));

        var result = await promoter.PromoteAsync(repo.Request("staging", 8, target: CommitTarget.CurrentBranch), Ct);

        Assert.Equal(unrelated + "\n", repo.Git.Git("log", "-1", "--format=%P", result.Commit!));
        Assert.Equal("hello\n", repo.Git.Show("main", "README.md"));
        Assert.Contains("version: 8", repo.FileOnMain("staging"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_WithPush_PublishesTheBranchToTheRemote()
    {
        using var repo = new PromotionRepository();
        using var remote = new GitTestRepository(bare: true);
        repo.Git.Git("remote", "add", "origin", remote.Path);

        var result = await repo.Promoter().PromoteAsync(repo.Request("staging", 8) with { PushTo = "origin" }, Ct);

        Assert.True(result.Pushed);
        Assert.Equal(result.Commit + "\n", remote.Git("rev-parse", "refs/heads/promote/churn-v8-staging"));
        remote.AssertFsckClean();
    }

    [Fact]
    public async Task Promote_PushRejected_SaysTheCommitIsLocal()
    {
        using var repo = new PromotionRepository();
        using var remote = new GitTestRepository(bare: true);
        repo.Git.Git("remote", "add", "origin", remote.Path);
        repo.Git.Git("push", "origin", "main");
        using (var other = new GitTestRepository())
        {
            other.Git("fetch", remote.Path, "main");
            other.Git("reset", "--hard", "FETCH_HEAD");
            other.Commit("Someone else's commit", ("README.md", "x\n"));
            other.Git("push", remote.Path, "main");
        }

        var error = await Assert.ThrowsAsync<PromotionException>(() =>
            repo.Promoter().PromoteAsync(repo.Request("staging", 8, target: CommitTarget.CurrentBranch) with { PushTo = "origin" }, Ct));

        Assert.Equal((PromotionFailure.PushFailed, repo.Git.Head), (error.Failure, error.Commit));
        Assert.StartsWith("pushing main to 'origin' failed: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"The commit {repo.Git.Head[..12]} is in the local branch; fetch, and push again (or promote again if the remote's environment file changed).", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(PromotionResult? Result, PromotionException? Error)> Outcome(Promoter promoter, PromotionRequest request)
    {
        try
        {
            return (await promoter.PromoteAsync(request, Ct), null);
        }
        catch (PromotionException e)
        {
            return (null, e);
        }
    }
}
