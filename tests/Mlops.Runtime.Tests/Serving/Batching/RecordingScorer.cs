using System.Collections.Concurrent;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Tests.Serving.Batching;

/// <summary>
/// Wraps a real scorer and records every call, so tests can see how rows were grouped. A row whose
/// tenure is <see cref="BadTenure"/> fails with <see cref="InvalidOperationException"/>, alone or inside a
/// batch (the whole call fails, as a model runtime would).
/// </summary>
internal sealed class RecordingScorer(IScorer inner, bool failEverything = false) : IScorer
{
    public const string Failure = "the model runtime failed";

    /// <summary>The tenure that makes a row fail: valid for the schema, fatal for this "runtime".</summary>
    public const float BadTenure = 666f;

    /// <summary>Every call's rows, in call order.</summary>
    public ConcurrentQueue<FeatureBatch> Calls { get; } = new();

    public PredictionKind Kind => inner.Kind;

    public IReadOnlyList<string> Classes => inner.Classes;

    public BatchPredictions Score(FeatureBatch batch)
    {
        Calls.Enqueue(batch);
        if (failEverything || Enumerable.Range(0, batch.RowCount).Any(r => batch.NumberAt(0, r) == BadTenure))
        {
            throw new InvalidOperationException(Failure);
        }

        return inner.Score(batch);
    }
}

/// <summary>A fake clock that also says when a timer (a batch's delay) has been started on it.</summary>
internal sealed class SignallingTime : TimeProvider
{
    private readonly SemaphoreSlim _timers = new(0);

    private int _created;

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Fake { get; } = new();

    /// <summary>How many timers have been created on this clock.</summary>
    public int TimersCreated => Volatile.Read(ref _created);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _created);
        _timers.Release();
        return timer;
    }

    /// <summary>Waits (at most ten seconds) until a timer has been created.</summary>
    public async Task TimerStartedAsync()
    {
        if (!await _timers.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken))
        {
            throw new TimeoutException("no batch delay was started within 10 s.");
        }
    }
}
