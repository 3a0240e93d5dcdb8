using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Features;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Features;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Serving.Batching;

/// <summary>Dynamic batching in the serving path: the model host gives each version a batcher, the router uses it.</summary>
public sealed class BatchedServingTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _repository = TestModels.Repository();
    private readonly TempDirectory _storeFolder = new("mlops-batching-store");
    private readonly TempDirectory _cache = new("mlops-batching-cache");
    private readonly LocalFolderStore _store;

    public BatchedServingTests() => _store = new LocalFolderStore(_storeFolder.Path);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _repository.Dispose();
        _storeFolder.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task ModelHost_BatchingOn_ScoresSingleRowsThroughTheVersionsBatcher()
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        using var host = CreateHost(new BatchingOptions { Enabled = true, MaxDelay = TimeSpan.Zero });
        await host.ReconcileAsync(Ct);
        var served = host.Snapshot.Models["churn"];

        var answer = await host.Router.ScoreAsync(served, TestBatches.Of(served.Schema!, TestModels.Row(tenure: 3)), "r", cancellationToken: Ct).AsTask().WaitAsync(s_bound, Ct);

        Assert.NotNull(served.Primary!.Batcher);
        Assert.Equal(served.Primary.Scorer.Score(served.Schema!, TestModels.Row(tenure: 3)), answer.Predictions[0]);
        Assert.Equal((ServedRole.Primary, 1), (answer.Role, answer.Version));
    }

    [Fact]
    public async Task ModelHost_BatchingOff_LoadsNoBatcherAndScoresSynchronously()
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        using var host = CreateHost(new BatchingOptions());
        await host.ReconcileAsync(Ct);
        var served = host.Snapshot.Models["churn"];

        var answer = host.Router.ScoreAsync(served, TestBatches.Of(served.Schema!, TestModels.Row()), "r", cancellationToken: Ct);

        Assert.Null(served.Primary!.Batcher);
        Assert.True(answer.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ModelHost_SwapWithoutRetention_ClosesTheOldBatcherAndAHeldOldVersionStillAnswers()
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        using var host = CreateHost(new BatchingOptions { Enabled = true, MaxDelay = TimeSpan.FromMilliseconds(1) }, retain: TimeSpan.Zero);
        await host.ReconcileAsync(Ct);
        var old = host.Snapshot.Models["churn"];
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 2), 2));

        await host.ReconcileAsync(Ct).WaitAsync(s_bound, Ct);
        var answer = await host.Router.ScoreAsync(old, TestBatches.Of(old.Schema!, TestModels.Row()), "r", cancellationToken: Ct).AsTask().WaitAsync(s_bound, Ct);

        Assert.True(old.Primary!.Batcher!.IsClosed);
        Assert.False(host.Snapshot.Models["churn"].Primary!.Batcher!.IsClosed);
        Assert.Equal(1, answer.Version);
    }

    [Fact]
    public async Task ModelHost_Dispose_ClosesEveryBatcher()
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        var host = CreateHost(new BatchingOptions { Enabled = true });
        await host.ReconcileAsync(Ct);
        var batcher = host.Snapshot.Models["churn"].Primary!.Batcher!;

        host.Dispose();

        Assert.True(batcher.IsClosed);
    }

    [Fact]
    public async Task Router_BatchedVersionFails_TheFallbackAnswersAsWithoutBatching()
    {
        var scorer = new RecordingScorer(ModelScorer.Load(new MemoryStream(TestModels.Model)), failEverything: true);
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxDelay = TimeSpan.Zero });
        var primary = new LoadedModel("churn", 1, "sha256:" + new string('a', 64), null!, scorer, new InputSchema(TestModels.Inputs)) { Batcher = batcher };
        var constant = new Prediction(0f, 0.2f, false, null, null);
        var served = new ServedModel("churn", true, primary, null, null, new FallbackAnswer(constant, null), null, "c1");

        var answer = await new TrafficRouter().ScoreAsync(served, TestBatches.Of(served.Schema!, TestModels.Row()), "r", cancellationToken: Ct).AsTask().WaitAsync(s_bound, Ct);

        Assert.Equal((ServedRole.Fallback, constant), (answer.Role, answer.Predictions[0]));
        Assert.Contains(RecordingScorer.Failure, answer.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(scorer.Calls);
    }

    [Fact]
    public void ModelHostOptions_BatchingOutOfRange_ReportedWithTheOtherProblems()
    {
        var options = new ModelHostOptions { WarmupRows = -1, Batching = new BatchingOptions { MaxBatchSize = 0, MaxDelay = TimeSpan.FromSeconds(5) } };

        var error = Assert.Throws<ValidationException>(options.Validate);

        Assert.Contains("WarmupRows", error.Message, StringComparison.Ordinal);
        Assert.Contains("Batching: The field MaxBatchSize must be between 1 and 10000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Batching: The field MaxDelay", error.Message, StringComparison.Ordinal);
    }

    private ModelHost CreateHost(BatchingOptions batching, TimeSpan? retain = null) =>
        new(new FolderDesiredStateSource(_repository.Path, "staging"), _store, "staging",
            new ModelHostOptions { CacheFolder = _cache.Path, Batching = batching, RetainPrevious = retain ?? TimeSpan.FromMinutes(10) }, new FakeTimeProvider());
}
