using System.Collections.Concurrent;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Tests.Serving.Batching;

/// <summary>
/// Wraps a real scorer and records every call, so tests can see how rows were grouped. A row whose
/// tenure is negative fails with <see cref="InvalidOperationException"/>, alone or inside a batch
/// (the whole batch call fails, as a model runtime would).
/// </summary>
internal sealed class RecordingScorer(IScorer inner, bool failEverything = false) : IScorer
{
    public const string Failure = "the model runtime failed";

    public ConcurrentQueue<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Batches { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, object?>> Singles { get; } = new();

    public PredictionKind Kind => inner.Kind;

    public Prediction Score(IReadOnlyDictionary<string, object?> features)
    {
        Singles.Enqueue(features);
        ThrowIfBad([features]);
        return inner.Score(features);
    }

    public Prediction[] ScoreBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        Batches.Enqueue([.. rows]);
        ThrowIfBad(rows);
        return inner.ScoreBatch(rows);
    }

    private void ThrowIfBad(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (failEverything || rows.Any(r => r.TryGetValue("tenure", out var t) && t is float tenure && tenure < 0))
        {
            throw new InvalidOperationException(Failure);
        }
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
