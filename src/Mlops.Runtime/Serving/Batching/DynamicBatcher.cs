using System.Threading.Channels;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving.Batching;

/// <summary>
/// Gathers concurrent single-row requests to one model version and scores them with one
/// <see cref="IScorer.Score(FeatureBatch)"/> call over the rows joined, as Triton's dynamic batcher does. A batch starts with the
/// first waiting row, takes every row already queued, then waits at most
/// <see cref="BatchingOptions.MaxDelay"/> for more, and is scored as soon as it holds
/// <see cref="BatchingOptions.MaxBatchSize"/> rows.
/// <list type="bullet">
/// <item>Each caller gets exactly its own row's answer.</item>
/// <item>When a batch call throws, its rows are scored one by one, so a bad row fails only its own caller.</item>
/// <item>A caller that cancels gets a cancelled task; its row is dropped if not yet scored, and the others are not affected.</item>
/// <item>At most <see cref="BatchingOptions.MaxQueuedRows"/> rows wait; a row beyond them fails at once with <see cref="ModelUnavailableException"/>.</item>
/// <item>Disposal scores the rows already queued; rows that arrive afterwards (a request still holding an
/// old snapshot) are scored one by one on the caller's thread, so a swap fails no request.</item>
/// </list>
/// Safe to share between threads.
/// </summary>
public sealed class DynamicBatcher : IAsyncDisposable, IDisposable
{
    private readonly IScorer _scorer;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;
    private readonly Channel<PendingRow> _queue;
    private readonly Task[] _workers;
    private readonly int _maxQueuedRows;
    private bool _closed;

    /// <summary>Starts the batcher's workers.</summary>
    /// <param name="scorer">Scores each batch.</param>
    /// <param name="options">Batch size, delay and concurrency; validated here (<see cref="BatchingOptions.Enabled"/> is not looked at).</param>
    /// <param name="timeProvider">The clock the delay runs on; the system clock when null.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message lists every problem.</exception>
    public DynamicBatcher(IScorer scorer, BatchingOptions options, TimeProvider? timeProvider = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The batching options are invalid: " + string.Join(" ", problems), nameof(options));
        }

        _maxBatchSize = options.MaxBatchSize;
        _maxDelay = options.MaxDelay;
        _time = timeProvider ?? TimeProvider.System;
        _maxQueuedRows = options.MaxQueuedRows;
        _queue = Channel.CreateBounded<PendingRow>(new BoundedChannelOptions(options.MaxQueuedRows)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = options.ConcurrentBatches == 1,
        });
        _workers = new Task[options.ConcurrentBatches];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(RunAsync);
        }
    }

    /// <summary>Whether <see cref="Dispose"/> or <see cref="DisposeAsync"/> has been called: rows are no longer gathered.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Queues one row and completes with its prediction once its batch is scored.</summary>
    /// <param name="row">One checked row: a batch of one, as <see cref="IScorer.Score"/> takes it.</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <exception cref="ArgumentException">The row does not fit the model.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    /// <exception cref="ModelUnavailableException"><see cref="BatchingOptions.MaxQueuedRows"/> rows are already waiting (in the task).</exception>
    public Task<BatchPredictions> ScoreAsync(FeatureBatch row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<BatchPredictions>(cancellationToken);
        }

        // Registered before the row is queued, so the worker sees the registration it must release.
        var pending = new PendingRow(row);
        pending.CancelWith(cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Release();
            if (IsClosed)
            {
                // The version was swapped out while this request held it. Answer without batching.
                return Task.FromResult(_scorer.Score(row));
            }

            return Task.FromException<BatchPredictions>(new ModelUnavailableException(
                $"{_maxQueuedRows} rows already wait for a batch of this model version (Mlops:Batching:MaxQueuedRows): the server is overloaded. Retry later, add replicas, or raise the limit."));
        }

        return pending.Task;
    }

    /// <summary>Stops gathering and waits until every queued row has been scored.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    /// <summary>Stops gathering; the rows already queued are still scored, in the background.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _closed, true);
        _queue.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingRow>(_maxBatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            TakeQueued(reader, batch);
            if (batch.Count == 0)
            {
                continue;
            }

            if (batch.Count < _maxBatchSize && _maxDelay > TimeSpan.Zero)
            {
                await GatherAsync(reader, batch).ConfigureAwait(false);
            }

            Score(batch);
            batch.Clear();
        }
    }

    private void TakeQueued(ChannelReader<PendingRow> reader, List<PendingRow> batch)
    {
        while (batch.Count < _maxBatchSize && reader.TryRead(out var pending))
        {
            if (!pending.Task.IsCompleted)
            {
                batch.Add(pending);
            }
        }
    }

    /// <summary>Waits for more rows until the batch is full, the delay is up, or the batcher closes.</summary>
    private async Task GatherAsync(ChannelReader<PendingRow> reader, List<PendingRow> batch)
    {
        using var stop = new CancellationTokenSource();
        var delay = Task.Delay(_maxDelay, _time, stop.Token);
        try
        {
            while (batch.Count < _maxBatchSize)
            {
                // WhenAny rather than a cancelled wait: the delay running out is the normal case and
                // must not cost an exception per batch.
                var more = reader.WaitToReadAsync(stop.Token).AsTask();
                if (await Task.WhenAny(more, delay).ConfigureAwait(false) == delay || !await more.ConfigureAwait(false))
                {
                    return;
                }

                TakeQueued(reader, batch);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private void Score(List<PendingRow> batch)
    {
        // Rows whose callers gave up while the batch gathered are not scored.
        batch.RemoveAll(p => p.Task.IsCompleted);
        if (batch.Count == 0)
        {
            return;
        }

        var rows = new FeatureBatch[batch.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = batch[i].Row;
        }

        BatchPredictions predictions;
        try
        {
            predictions = _scorer.Score(FeatureBatch.Concat(rows));
            if (predictions.Count != rows.Length)
            {
                throw new InvalidOperationException($"the scorer returned {predictions.Count} predictions for a batch of {rows.Length} rows.");
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad row must not fail the others: score each alone, so each caller gets its own
            // answer or its own error, exactly as without batching.
            foreach (var pending in batch)
            {
                ScoreAlone(pending);
            }

            return;
        }
        catch (Exception e)
        {
            batch[0].Fail(e);
            return;
        }

        for (var i = 0; i < rows.Length; i++)
        {
            batch[i].Complete(rows.Length == 1 ? predictions : predictions.Row(i));
        }
    }

    private void ScoreAlone(PendingRow pending)
    {
        try
        {
            pending.Complete(_scorer.Score(pending.Row));
        }
        catch (Exception e)
        {
            pending.Fail(e);
        }
    }

    /// <summary>One queued row and its caller's task; continuations run on the thread pool, not on the worker.</summary>
    private sealed class PendingRow(FeatureBatch row) : TaskCompletionSource<BatchPredictions>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _cancellation;

        public FeatureBatch Row { get; } = row;

        public void CancelWith(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((PendingRow)state!).TrySetCanceled(token), this);
            }
        }

        public void Release() => _cancellation.Dispose();

        public void Complete(BatchPredictions prediction)
        {
            TrySetResult(prediction);
            _cancellation.Dispose();
        }

        public void Fail(Exception error)
        {
            TrySetException(error);
            _cancellation.Dispose();
        }
    }
}
