using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Runtime.Tests.Features;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Reconcile;

public sealed class ModelHostTests : IDisposable
{
    private readonly TempDirectory _repository = TestModels.Repository();
    private readonly TempDirectory _storeFolder = new("mlops-serve-store");
    private readonly TempDirectory _cache = new("mlops-serve-cache");
    private readonly FakeTimeProvider _time = new();
    private readonly LocalFolderStore _store;

    public ModelHostTests() => _store = new LocalFolderStore(_storeFolder.Path);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _repository.Dispose();
        _storeFolder.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task Reconcile_PinnedVersion_ServesItSyncedAndHealthy()
    {
        var digest = TestModels.Put(_store, 1);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(digest, 1));
        using var host = CreateHost(_store);

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.Synced, HealthStatus.Healthy), (status.Sync, status.Health));
        var served = host.Snapshot.Models["churn"];
        Assert.Equal((1, digest), (served.Primary!.Version, served.Primary.Digest));
        Assert.True(host.IsReady);
        var answer = host.Router.Score(served, TestModels.Row(), "request-1");
        Assert.Equal((1, digest, status.DesiredCommit), (answer.Version, answer.Digest, answer.Commit));
    }

    [Fact]
    public async Task Reconcile_CorruptBundle_IsRefusedAndThePreviousVersionKeepsServing()
    {
        var good = TestModels.Put(_store, 1);
        var corrupt = TestModels.PutCorrupt(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(good, 1));
        using var host = CreateHost(_store);
        var first = await host.ReconcileAsync(Ct);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(corrupt, 2));

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.OutOfSync, HealthStatus.Degraded), (status.Sync, status.Health));
        Assert.Contains("corrupt", status.Models.Single().Message, StringComparison.Ordinal);
        Assert.Equal(first.ServedCommit, status.ServedCommit);
        Assert.Equal(good, host.Snapshot.Models["churn"].Primary!.Digest);
        Assert.Equal(first.ServedCommit, host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r").Commit);
    }

    [Fact]
    public async Task Reconcile_RollbackWithinRetention_ReusesTheLoadedVersionWithoutFetching()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1));
        using var host = CreateHost(_store, new ModelHostOptions { CacheFolder = _cache.Path, RetainPrevious = TimeSpan.FromMinutes(5) });
        await host.ReconcileAsync(Ct);
        var loaded = host.Snapshot.Models["churn"].Primary;
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2));
        await host.ReconcileAsync(Ct);
        File.Delete(_store.GetObjectPath(one));
        File.Delete(Path.Combine(_cache.Path, one["sha256:".Length..] + ".bundle"));
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1));

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, status.Health);
        Assert.Same(loaded, host.Snapshot.Models["churn"].Primary);
    }

    [Fact]
    public async Task Reconcile_AfterRetentionExpires_DropsThePreviousVersion()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1));
        using var host = CreateHost(_store, new ModelHostOptions { CacheFolder = _cache.Path, RetainPrevious = TimeSpan.FromMinutes(5) });
        await host.ReconcileAsync(Ct);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2));
        await host.ReconcileAsync(Ct);
        Assert.NotNull(host.Snapshot.FindVersion("churn", 1));

        _time.Advance(TimeSpan.FromMinutes(6));
        await host.ReconcileAsync(Ct);

        Assert.Null(host.Snapshot.FindVersion("churn", 1));
    }

    [Fact]
    public async Task Restart_WithVerifiedBundlesInTheCache_ServesWithoutTheStore()
    {
        var digest = TestModels.Put(_store, 1);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(digest, 1));
        using (var first = CreateHost(_store))
        {
            await first.ReconcileAsync(Ct);
        }

        using var emptyStoreFolder = new TempDirectory("mlops-serve-empty");
        using var restarted = CreateHost(new LocalFolderStore(emptyStoreFolder.Path));

        var status = await restarted.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, status.Health);
        Assert.Equal(digest, restarted.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Fact]
    public async Task Score_ModelSwitchedOff_TheConstantFallbackAnswers()
    {
        var digest = TestModels.Put(_store, 1);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(digest, 1, extra: "    enabled: false\n    fallback: { constant: { prediction: false, probability: 0.1 } }\n"));
        using var host = CreateHost(_store);
        await host.ReconcileAsync(Ct);

        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");

        Assert.Equal((ServedRole.Fallback, false, 0.1f), (answer.Role, answer.Prediction.IsPositive, answer.Prediction.Probability));
        Assert.Contains("enabled: false", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_ModelSwitchedOff_AnotherModelAsFallbackAnswers()
    {
        var digest = TestModels.Put(_store, 1);
        var rules = TestModels.Put(_store, 2, model: "churn-rules");
        TestModels.WriteEnvironment(_repository,
            TestModels.Pin(digest, 1, extra: "    enabled: false\n    fallback: { model: churn-rules, version: 2 }\n")
            + TestModels.Pin(rules, 2, model: "churn-rules"));
        using var host = CreateHost(_store);
        await host.ReconcileAsync(Ct);

        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");

        Assert.Equal((ServedRole.Fallback, "churn-rules", 2, rules), (answer.Role, answer.Model, answer.Version, answer.Digest));
    }

    [Fact]
    public async Task Score_ModelSwitchedOff_ARegisteredModelNamedByDigestAnswersWithoutItsOwnEntry()
    {
        var digest = TestModels.Put(_store, 1);
        var rules = TestModels.Put(_store, 2, model: "churn-rules");
        TestModels.WriteEnvironment(_repository,
            TestModels.Pin(digest, 1, extra: $"    enabled: false\n    fallback: {{ model: churn-rules, version: 2, digest: {rules} }}\n"));
        using var host = CreateHost(_store);
        var status = await host.ReconcileAsync(Ct);

        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");

        Assert.Equal(HealthStatus.Healthy, status.Health);
        Assert.Equal((ServedRole.Fallback, "churn-rules", 2, rules), (answer.Role, answer.Model, answer.Version, answer.Digest));
        Assert.False(host.Snapshot.Models.ContainsKey("churn-rules"));
    }

    [Theory]
    [InlineData("    fallback: { model: churn-rules, version: 2 }\n", "names no digest and is not pinned")]
    [InlineData("    fallback: { model: churn-rules, version: 2, digest: sha256:0000000000000000000000000000000000000000000000000000000000000000 }\n", "A version has one bundle")]
    public async Task Reconcile_ModelFallbackWithoutAKnownBundle_IsDegradedAndSaysWhatToAdd(string fallback, string expected)
    {
        var digest = TestModels.Put(_store, 1);
        var rules = TestModels.Put(_store, 2, model: "churn-rules");
        var rulesEntry = expected.Contains("one bundle", StringComparison.Ordinal) ? TestModels.Pin(rules, 2, model: "churn-rules", extra: "    enabled: false\n") : "";
        TestModels.WriteEnvironment(_repository, TestModels.Pin(digest, 1, extra: fallback) + rulesEntry);
        using var host = CreateHost(_store);

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Contains(expected, status.Models.Single(m => m.Model == "churn").Message, StringComparison.Ordinal);
        Assert.Equal(digest, host.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Fact]
    public async Task Score_CanaryWithEntity_IsStickyPerKeyAndTakesAboutItsWeight()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1, extra: $"    canary: {{ version: 2, digest: {two}, weight: 20 }}\n"));
        using var host = CreateHost(_store);
        await host.ReconcileAsync(Ct);
        var served = host.Snapshot.Models["churn"];
        Assert.Equal("customer_id", served.Entity);

        var versions = Enumerable.Range(0, 1000).Select(i => host.Router.Score(served, TestModels.Row(), $"customer-{i}").Version).ToList();
        var again = Enumerable.Range(0, 1000).Select(i => host.Router.Score(served, TestModels.Row(), $"customer-{i}").Version).ToList();

        Assert.Equal(versions, again);
        Assert.InRange(versions.Count(v => v == 2), 150, 250);
    }

    [Fact]
    public async Task Score_Shadow_IsScoredAndReportedButNeverReturned()
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1, extra: $"    shadow: {{ version: 2, digest: {two} }}\n"));
        var shadows = new List<ShadowResult>();
        using var host = new ModelHost(new FolderDesiredStateSource(_repository.Path, "staging"), _store, "staging",
            new ModelHostOptions { CacheFolder = _cache.Path }, _time, shadows.Add);
        await host.ReconcileAsync(Ct);

        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");

        Assert.Equal(1, answer.Version);
        Assert.Equal(2, Assert.Single(shadows).ShadowVersion);
    }

    [Fact]
    public async Task Reconcile_InvalidEnvironmentFile_KeepsServingAndSaysWhy()
    {
        var digest = TestModels.Put(_store, 1);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(digest, 1));
        using var host = CreateHost(_store);
        await host.ReconcileAsync(Ct);
        File.WriteAllText(_repository.Combine("environments/staging.yaml"), "environment: [broken\n");

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Contains("staging.yaml", status.Message, StringComparison.Ordinal);
        Assert.Equal(digest, host.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Fact]
    public void Options_OutOfRange_ReportsEveryField()
    {
        var options = new ModelHostOptions { PollInterval = TimeSpan.Zero, WarmupRows = -1 };

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(options.Validate);

        Assert.Contains(nameof(ModelHostOptions.PollInterval), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ModelHostOptions.WarmupRows), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_WhileTheLoopStartsWatching_NeitherThrowsNorLeavesAWatcher()
    {
        // A server that cannot bind its port disposes the host while the reconcile loop is starting:
        // that once failed with "Collection was modified" and reached the user as an internal error.
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var host = CreateHost(_store);
            var loop = Task.Run(() => host.RunAsync(stop.Token), Ct);

            host.Dispose();
            await stop.CancelAsync();

            await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(30), Ct));
            Assert.True(loop.IsCompleted, "the loop did not end after the host was disposed and cancelled");
            host.RequestReconcile();
        }
    }

    private ModelHost CreateHost(IBundleStore store, ModelHostOptions? options = null) =>
        new(new FolderDesiredStateSource(_repository.Path, "staging"), store, "staging", options ?? new ModelHostOptions { CacheFolder = _cache.Path }, _time);
}
