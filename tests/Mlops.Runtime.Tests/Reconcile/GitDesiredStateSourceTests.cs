using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Runtime.Tests.Features;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Reconcile;

/// <summary>
/// The host following a git remote and branch, as production replicas do: a real repository in a
/// temporary folder is the remote, commits to it are what a merged pull request looks like.
/// </summary>
public sealed class GitDesiredStateSourceTests : IDisposable
{
    private readonly TempDirectory _remote = TestModels.Repository();
    private readonly TempDirectory _storeFolder = new("mlops-git-store");
    private readonly TempDirectory _cache = new("mlops-git-cache");
    private readonly LocalFolderStore _store;

    public GitDesiredStateSourceTests()
    {
        _store = new LocalFolderStore(_storeFolder.Path);
        Testing.Git.InitAndCommit(_remote.Path);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _remote.Dispose();
        _storeFolder.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task Reconcile_CommitOnTheFollowedBranch_ServesItsPinAtThatCommit()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        var firstCommit = Commit(TestModels.Pin(one, 1), "Promote churn v1 to staging");
        using var host = CreateHost("main");

        var first = await host.ReconcileAsync(Ct);
        var secondCommit = Commit(TestModels.Pin(two, 2), "Promote churn v2 to staging");
        var second = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.Synced, firstCommit), (first.Sync, first.ServedCommit));
        Assert.Equal((SyncStatus.Synced, HealthStatus.Healthy, secondCommit), (second.Sync, second.Health, second.ServedCommit));
        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");
        Assert.Equal((2, two, secondCommit), (answer.Version, answer.Digest, answer.Commit));
    }

    [Fact]
    public async Task Reconcile_CommitOnAnotherBranch_ChangesNothingUntilItIsMerged()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        var mainCommit = Commit(TestModels.Pin(one, 1), "Promote churn v1 to staging");
        using var host = CreateHost("main");
        await host.ReconcileAsync(Ct);
        Testing.Git.Run(_remote.Path, "checkout", "-q", "-b", "promote/churn-v2-staging");
        Commit(TestModels.Pin(two, 2), "Promote churn v2 to staging");

        var beforeMerge = await host.ReconcileAsync(Ct);
        Testing.Git.Run(_remote.Path, "checkout", "-q", "main");
        Testing.Git.Run(_remote.Path, "merge", "-q", "--ff-only", "promote/churn-v2-staging");
        var afterMerge = await host.ReconcileAsync(Ct);

        Assert.Equal(mainCommit, beforeMerge.ServedCommit);
        Assert.Equal(1, beforeMerge.Models.Single().Served!.Version);
        Assert.Equal(2, afterMerge.Models.Single().Served!.Version);
        Assert.NotEqual(mainCommit, afterMerge.ServedCommit);
    }

    [Fact]
    public async Task Reconcile_BranchMissing_IsDegradedNamesTheBranchAndKeepsServing()
    {
        var one = TestModels.Put(_store, 1);
        Commit(TestModels.Pin(one, 1), "Promote churn v1 to staging");
        using var working = CreateHost("main");
        await working.ReconcileAsync(Ct);
        using var wrongBranch = CreateHost("release");

        var status = await wrongBranch.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Contains("no branch 'release'", status.Message, StringComparison.Ordinal);
        Assert.Empty(wrongBranch.Snapshot.Models);
    }

    [Fact]
    public async Task Reconcile_RemoteGone_KeepsServingWhatWasAppliedAndSaysWhy()
    {
        var one = TestModels.Put(_store, 1);
        var commit = Commit(TestModels.Pin(one, 1), "Promote churn v1 to staging");
        using var host = CreateHost("main");
        await host.ReconcileAsync(Ct);
        Directory.Move(_remote.Path, _remote.Path + "-moved");
        try
        {
            var status = await host.ReconcileAsync(Ct);

            Assert.Equal(HealthStatus.Degraded, status.Health);
            Assert.Contains("cannot fetch", status.Message, StringComparison.Ordinal);
            Assert.Equal(commit, status.ServedCommit);
            Assert.Equal(one, host.Snapshot.Models["churn"].Primary!.Digest);
        }
        finally
        {
            Directory.Move(_remote.Path + "-moved", _remote.Path);
        }
    }

    private string Commit(string models, string message)
    {
        TestModels.WriteEnvironment(_remote, models);
        Testing.Git.CommitAll(_remote.Path, message);
        return Testing.Git.Run(_remote.Path, "rev-parse", "HEAD").Trim();
    }

    private ModelHost CreateHost(string branch) =>
        new(
            new GitDesiredStateSource(_remote.Path, branch, "staging", Path.Combine(_cache.Path, branch, "git")),
            _store,
            "staging",
            new ModelHostOptions { CacheFolder = Path.Combine(_cache.Path, branch, "bundles") },
            new FakeTimeProvider());
}
