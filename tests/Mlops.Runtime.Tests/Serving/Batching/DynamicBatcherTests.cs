using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;
using Mlops.Runtime.Tests.Features;

namespace Mlops.Runtime.Tests.Serving.Batching;

/// <summary>
/// The batcher on the real test model. Delays run on a fake clock that the tests only advance on
/// purpose, so which rows share a batch is decided by the test, not by timing; every wait is bounded.
/// </summary>
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    // The longest delay allowed, on a fake clock these tests never advance: the delay never runs out.
    private static readonly TimeSpan s_never = TimeSpan.FromSeconds(1);
    private static readonly ModelScorer s_model = ModelScorer.Load(new MemoryStream(TestModels.Model));
    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScoreAsync_ConcurrentDistinctRows_EachCallerGetsItsOwnRowsSingleRowScore()
    {
        var scorer = new RecordingScorer(s_model);
        var time = new SignallingTime();
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 8, MaxDelay = s_never }, time);
        var rows = Enumerable.Range(0, 64).Select(DistinctRow).ToList();

        var answers = await Task.WhenAll(rows.Select(r => Task.Run(() => batcher.ScoreAsync(r, Ct), Ct))).WaitAsync(s_bound, Ct);

        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(Alone(rows[i]), answers[i][0]);
        }

        Assert.Equal(Enumerable.Repeat(8, 8), scorer.Calls.Select(b => b.RowCount));
    }

    [Fact]
    public async Task ScoreAsync_FewerRowsThanABatch_WaitForTheDelayThenScoreTogether()
    {
        var scorer = new RecordingScorer(s_model);
        var time = new SignallingTime();
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 8, MaxDelay = TimeSpan.FromMilliseconds(5) }, time);
        var rows = Enumerable.Range(0, 3).Select(DistinctRow).ToList();
        var answers = rows.Select(r => batcher.ScoreAsync(r, Ct)).ToList();

        await time.TimerStartedAsync();
        Assert.Empty(scorer.Calls);
        Assert.DoesNotContain(answers, a => a.IsCompleted);
        time.Fake.Advance(TimeSpan.FromMilliseconds(5));

        var scored = await Task.WhenAll(answers).WaitAsync(s_bound, Ct);
        Assert.Equal([3], scorer.Calls.Select(b => b.RowCount));
        Assert.Equal(rows.Select(Alone), scored.Select(a => a[0]));
    }

    [Fact]
    public async Task ScoreAsync_NoDelay_ScoresWhatIsQueuedWithoutStartingATimer()
    {
        var scorer = new RecordingScorer(s_model);
        var time = new SignallingTime();
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 8, MaxDelay = TimeSpan.Zero }, time);

        var answer = await batcher.ScoreAsync(DistinctRow(5), Ct).WaitAsync(s_bound, Ct);

        Assert.Equal(Alone(DistinctRow(5)), answer[0]);
        Assert.Equal(0, time.TimersCreated);
    }

    [Fact]
    public async Task ScoreAsync_OneBadRowInABatch_FailsOnlyThatCaller()
    {
        var scorer = new RecordingScorer(s_model);
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 3, MaxDelay = s_never }, new SignallingTime());
        var good1 = DistinctRow(1);
        var bad = Batch(TestModels.Row(tenure: RecordingScorer.BadTenure));
        var good2 = DistinctRow(2);

        var tasks = new[] { batcher.ScoreAsync(good1, Ct), batcher.ScoreAsync(bad, Ct), batcher.ScoreAsync(good2, Ct) };
        await Task.WhenAny(Task.WhenAll(tasks)).WaitAsync(s_bound, Ct); // WhenAny: wait for all without throwing

        Assert.Equal(Alone(good1), (await tasks[0])[0]);
        Assert.Equal(RecordingScorer.Failure, (await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[1])).Message);
        Assert.Equal(Alone(good2), (await tasks[2])[0]);
        Assert.Equal([3, 1, 1, 1], scorer.Calls.Select(b => b.RowCount));
    }

    [Fact]
    public async Task ScoreAsync_ModelFailsForEveryRow_EveryCallerGetsTheError()
    {
        var scorer = new RecordingScorer(s_model, failEverything: true);
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 4, MaxDelay = s_never }, new SignallingTime());

        var tasks = Enumerable.Range(0, 4).Select(i => batcher.ScoreAsync(DistinctRow(i), Ct)).ToList();
        await Task.WhenAny(Task.WhenAll(tasks)).WaitAsync(s_bound, Ct);

        foreach (var task in tasks)
        {
            Assert.Equal(RecordingScorer.Failure, (await Assert.ThrowsAsync<InvalidOperationException>(() => task)).Message);
        }
    }

    [Fact]
    public async Task ScoreAsync_OneCallerCancels_OthersGetTheirAnswersAndItsRowIsNotScored()
    {
        var scorer = new RecordingScorer(s_model);
        var time = new SignallingTime();
        await using var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 3, MaxDelay = TimeSpan.FromMilliseconds(1) }, time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var leaving = Batch(TestModels.Row(tenure: 777));
        var left = batcher.ScoreAsync(leaving, cancel.Token);
        var staying = Enumerable.Range(0, 3).Select(DistinctRow).ToList();
        var first = batcher.ScoreAsync(staying[0], Ct);

        await cancel.CancelAsync();
        var rest = staying.Skip(1).Select(r => batcher.ScoreAsync(r, Ct)).ToList();
        var all = Task.WhenAll(rest.Prepend(first));
        for (var i = 0; i < 1000 && !all.IsCompleted; i++)
        {
            time.Fake.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(all, Task.Delay(10, Ct));
        }

        Assert.Equal(staying.Select(Alone), (await all.WaitAsync(s_bound, Ct)).Select(a => a[0]));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        Assert.DoesNotContain(scorer.Calls, b => Enumerable.Range(0, b.RowCount).Any(r => b.NumberAt(0, r) == 777f));
    }

    [Fact]
    public async Task DisposeAsync_RowsWaitingForTheirBatch_AreScoredNotDropped()
    {
        var scorer = new RecordingScorer(s_model);
        var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxBatchSize = 8, MaxDelay = s_never }, new SignallingTime());
        var rows = Enumerable.Range(0, 3).Select(DistinctRow).ToList();
        var answers = rows.Select(r => batcher.ScoreAsync(r, Ct)).ToList();

        await batcher.DisposeAsync().AsTask().WaitAsync(s_bound, Ct);

        Assert.True(batcher.IsClosed);
        Assert.All(answers, a => Assert.True(a.IsCompletedSuccessfully));
        Assert.Equal(rows.Select(Alone), (await Task.WhenAll(answers)).Select(a => a[0]));
    }

    [Fact]
    public async Task ScoreAsync_AfterDisposal_ScoresTheRowAloneOnTheCallersThread()
    {
        var scorer = new RecordingScorer(s_model);
        var batcher = new DynamicBatcher(scorer, new BatchingOptions { MaxDelay = s_never }, new SignallingTime());
        await batcher.DisposeAsync().AsTask().WaitAsync(s_bound, Ct);

        var answer = batcher.ScoreAsync(DistinctRow(9), Ct);

        Assert.True(answer.IsCompletedSuccessfully);
        Assert.Equal(Alone(DistinctRow(9)), (await answer)[0]);
        Assert.Equal(1, Assert.Single(scorer.Calls).RowCount);
    }

    [Fact]
    public async Task ScoreAsync_QueueFull_RefusesTheNextRowAtOnceAndScoresTheWaitingOnes()
    {
        using var gate = new GatedScorer(s_model);
        await using var batcher = new DynamicBatcher(gate, new BatchingOptions { MaxBatchSize = 1, MaxQueuedRows = 2 }, new SignallingTime());
        var rows = Enumerable.Range(0, 4).Select(DistinctRow).ToList();
        var first = batcher.ScoreAsync(rows[0], Ct);
        Assert.True(gate.Entered.Wait(s_bound, Ct), "the first row's batch should have started");

        var queued = rows.Skip(1).Take(2).Select(r => batcher.ScoreAsync(r, Ct)).ToList();
        var refused = batcher.ScoreAsync(rows[3], Ct);

        var error = await Assert.ThrowsAsync<ModelUnavailableException>(() => refused);
        Assert.Contains("MaxQueuedRows", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(queued.Prepend(first), t => t.IsCompleted);
        gate.Open.Set();
        Assert.Equal(rows.Take(3).Select(Alone), (await Task.WhenAll(queued.Prepend(first)).WaitAsync(s_bound, Ct)).Select(a => a[0]));
    }

    [Fact]
    public async Task Router_BatchQueueFull_TheFallbackAnswersSayingWhy()
    {
        using var gate = new GatedScorer(s_model);
        var schema = new InputSchema(TestModels.Inputs, TestModels.FeatureSet);
        await using var batcher = new DynamicBatcher(gate, new BatchingOptions { MaxBatchSize = 1, MaxQueuedRows = 1 }, new SignallingTime());
        var primary = new LoadedModel("churn", 1, "sha256:1", null!, gate, schema) { Batcher = batcher };
        var constant = new Prediction(0f, 0.5f, false, null, null);
        var served = new ServedModel("churn", true, primary, null, null, new FallbackAnswer(constant, null), "customer_id", "c0ffee");
        var router = new TrafficRouter();
        var first = router.ScoreAsync(served, DistinctRow(1), "a", cancellationToken: Ct).AsTask();
        Assert.True(gate.Entered.Wait(s_bound, Ct), "the first row's batch should have started");
        var queued = router.ScoreAsync(served, DistinctRow(2), "b", cancellationToken: Ct).AsTask();

        var overloaded = await router.ScoreAsync(served, DistinctRow(3), "c", cancellationToken: Ct).AsTask().WaitAsync(s_bound, Ct);

        Assert.Equal((ServedRole.Fallback, constant), (overloaded.Role, overloaded.Predictions[0]));
        Assert.Contains("MaxQueuedRows", overloaded.Reason, StringComparison.Ordinal);
        gate.Open.Set();
        Assert.All(await Task.WhenAll(first, queued).WaitAsync(s_bound, Ct), a => Assert.Equal(ServedRole.Primary, a.Role));
    }

    [Fact]
    public void Constructor_OptionsOutOfRange_ListsEveryProblem()
    {
        var options = new BatchingOptions { MaxBatchSize = 0, MaxDelay = TimeSpan.FromSeconds(2), ConcurrentBatches = 0, MaxQueuedRows = 0 };

        var error = Assert.Throws<ArgumentException>(() => new DynamicBatcher(s_model, options));

        Assert.Contains("MaxBatchSize", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxDelay", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConcurrentBatches", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxQueuedRows", error.Message, StringComparison.Ordinal);
    }

    private static FeatureBatch DistinctRow(int i) =>
        Batch(new(StringComparer.Ordinal) { ["tenure"] = (float)i, ["contract"] = s_contracts[i % 3], ["total_charges"] = i % 5 == 0 ? null : i * 37.5f });

    private static FeatureBatch Batch(Dictionary<string, object?> row) => TestBatches.Of(s_schema, row);

    /// <summary>A row's answer when scored alone, without batching.</summary>
    private static Prediction Alone(FeatureBatch row) => s_model.Score(row)[0];
}

/// <summary>Scores with a real model, but holds every batch call until <see cref="Open"/> is set (at most ten seconds).</summary>
internal sealed class GatedScorer(IScorer inner) : IScorer, IDisposable
{
    public ManualResetEventSlim Entered { get; } = new();

    public ManualResetEventSlim Open { get; } = new();

    public PredictionKind Kind => inner.Kind;

    public IReadOnlyList<string> Classes => inner.Classes;

    public BatchPredictions Score(FeatureBatch batch)
    {
        Entered.Set();
        if (!Open.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("the test never opened the gate.");
        }

        return inner.Score(batch);
    }

    public void Dispose()
    {
        Open.Set();
        Entered.Dispose();
        Open.Dispose();
    }
}
