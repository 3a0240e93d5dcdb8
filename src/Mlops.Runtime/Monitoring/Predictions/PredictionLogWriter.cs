using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Mlops.Runtime.Features;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring.Predictions;

/// <summary>The prediction log's counters.</summary>
/// <param name="Folder">The log folder.</param>
/// <param name="Written">Lines written (predictions and feedback).</param>
/// <param name="Dropped">Lines dropped because the queue was full.</param>
/// <param name="Failed">Lines lost because the folder could not be written (a full disk, no permission).</param>
/// <param name="Replayed">Lines read back at start.</param>
/// <param name="CurrentFile">The file being written, or null.</param>
/// <param name="Error">The last write error while it lasts, or null.</param>
public sealed record PredictionLogStatus(string Folder, long Written, long Dropped, long Failed, long Replayed, string? CurrentFile, string? Error);

/// <summary>
/// Appends predictions and feedback to rotating JSON-lines files off the request path. A request
/// hands its rows to a bounded queue (<see cref="TryWrite(string, IReadOnlyList{string}?, InputSchema, FeatureBatch, ServedBatch)"/>:
/// a copy of the rows, a time stamp and a queue write) and goes on; one background task writes the
/// lines (<see cref="PredictionLogLines"/>), remembers the predictions for feedback
/// (<see cref="LiveQuality"/>), rotates files by size and age and deletes the oldest by total size
/// and age. A full queue drops and counts; a folder that cannot be written is reported once, counted,
/// and tried again later; neither ever slows or stops serving. On start it reads the folder back, so
/// remembered predictions and live metrics survive a restart.
/// </summary>
public sealed class PredictionLogWriter : IAsyncDisposable
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int MaxReplayLineBytes = 1024 * 1024;

    // How often an idle writer looks at the queue (machine time, not the log's clock).
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(10);

    private readonly PredictionLogOptions _options;
    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly Action<string> _report;
    private readonly Channel<object> _queue;
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private FileStream? _file;
    private string? _filePath;
    private DateTimeOffset _fileStarted;
    private long _fileBytes;
    private long _unflushedLines;
    private DateTimeOffset _lastFlush;
    private DateTimeOffset _retryAt;
    private string? _error;
    private long _accepted;
    private long _handled;
    private long _droppedItems;
    private long _written;
    private long _dropped;
    private long _failed;
    private long _replayed;
    private int _disposed;

    /// <summary>A writer for <see cref="PredictionLogOptions.Folder"/>; nothing is touched until <see cref="Start"/>.</summary>
    /// <param name="options">The settings; <see cref="PredictionLogOptions.Folder"/> must be set.</param>
    /// <param name="quality">Remembers predictions for feedback.</param>
    /// <param name="time">The clock of time stamps, rotation and retention.</param>
    /// <param name="report">Receives one line per change of state worth an operator's attention (a write error, its end).</param>
    public PredictionLogWriter(PredictionLogOptions options, LiveQuality quality, TimeProvider time, Action<string> report)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(quality);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(report);
        if (options.Problems("PredictionLog:") is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _options = options;
        _folder = Path.GetFullPath(options.Folder ?? throw new ArgumentException("PredictionLog:Folder is not set; the log is off without it.", nameof(options)));
        Quality = quality;
        _time = time;
        _report = report;
        _json = new Utf8JsonWriter(_line);
        _queue = Channel.CreateBounded<object>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = false },
            Dropped);
    }

    /// <summary>Joins feedback with the logged predictions.</summary>
    public LiveQuality Quality { get; }

    /// <summary>The counters and the current file.</summary>
    public PredictionLogStatus Status => new(_folder, Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _replayed), Volatile.Read(ref _filePath), Volatile.Read(ref _error));

    /// <summary>Reads the folder back (remembered predictions, feedback), then writes what requests hand over until disposed.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The prediction log is started already.");
        }

        // A thread of its own, not the thread pool's: the writer is busy for as long as requests come,
        // and on a small machine a pool thread held that long starves the requests themselves.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = done.Task;
        new Thread(() =>
        {
            try
            {
                Run();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "Mlops prediction log" }.Start();
    }

    /// <summary>
    /// Hands a request's rows and answers to the writer: copies the rows and queues them; a full
    /// queue drops them (counted in <see cref="PredictionLogStatus.Dropped"/>). Never blocks.
    /// </summary>
    /// <param name="id">The request's prediction id (see <see cref="LoggedRequest.Id"/>).</param>
    /// <param name="rowIds">Per-row ids, or null to derive them from <paramref name="id"/>.</param>
    /// <param name="schema">The schema that checked the rows.</param>
    /// <param name="batch">The checked rows (copied here: the caller may reuse it).</param>
    /// <param name="answer">The answers.</param>
    public void TryWrite(string id, IReadOnlyList<string>? rowIds, InputSchema schema, FeatureBatch batch, ServedBatch answer)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Interlocked.Increment(ref _accepted);
        _queue.Writer.TryWrite(new LoggedRequest(id, rowIds, _time.GetUtcNow(), schema, batch.Copy(), answer));
    }

    /// <summary>Queues feedback lines (already joined by <see cref="LiveQuality.Record"/>).</summary>
    /// <param name="feedback">The feedback to append.</param>
    public void TryWrite(LoggedFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        Interlocked.Increment(ref _accepted);
        _queue.Writer.TryWrite(feedback);
    }

    /// <summary>
    /// Waits until everything queued before the call has been handled (written and remembered), so
    /// feedback sent right after its prediction finds it; false when <paramref name="timeout"/> passed first.
    /// </summary>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<bool> CaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var mark = Interlocked.Read(ref _accepted);
        // A bound on waiting, not a time of the log: measured on the machine's clock whatever TimeProvider the log's times use.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Interlocked.Read(ref _handled) + Interlocked.Read(ref _droppedItems) < mark)
        {
            if (waited.Elapsed >= timeout || _loop is { IsCompleted: true })
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Writes what is queued, closes the file and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
        }

        CloseFile();
        await _json.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Dropped(object item)
    {
        Interlocked.Increment(ref _droppedItems);
        Interlocked.Add(ref _dropped, item is LoggedRequest request ? request.Features.RowCount : 1);
    }

    private void Run()
    {
        Replay();
        var reader = _queue.Reader;
        while (true)
        {
            var any = false;
            while (reader.TryRead(out var item))
            {
                Handle(item);
                Interlocked.Increment(ref _handled);
                any = true;
            }

            var now = _time.GetUtcNow();
            if (_unflushedLines > 0 && now - _lastFlush >= _options.FlushInterval)
            {
                Flush(now);
            }

            if (reader.Completion.IsCompleted || _stop.IsCancellationRequested)
            {
                break; // disposed, and everything queued is written
            }

            if (!any)
            {
                // Polled rather than awaited: a reader waiting on the queue makes every request's write
                // wake it (a thread-pool hand-off, about a microsecond); polling keeps the write a queue insert.
                if (_stop.Token.WaitHandle.WaitOne(DrainInterval))
                {
                    break;
                }
            }
        }

        while (reader.TryRead(out var rest))
        {
            Handle(rest);
            Interlocked.Increment(ref _handled);
        }

        Flush(_time.GetUtcNow());
    }

    private void Handle(object item)
    {
        var now = _time.GetUtcNow();
        switch (item)
        {
            case LoggedRequest request:
                for (var row = 0; row < request.Features.RowCount; row++)
                {
                    Reset();
                    PredictionLogLines.WritePrediction(_json, request, row);
                    Append(now);
                }

                Quality.Remember(request);
                break;
            case LoggedFeedback feedback:
                Reset();
                PredictionLogLines.WriteFeedback(_json, feedback);
                Append(now);
                break;
        }
    }

    private void Reset()
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
    }

    private void Append(DateTimeOffset now)
    {
        _json.Flush();
        _line.Write("\n"u8);
        if (!EnsureFile(now))
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        try
        {
            _file!.Write(_line.WrittenSpan);
            _fileBytes += _line.WrittenCount;
            _unflushedLines++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Add(ref _failed, _unflushedLines + 1);
            _unflushedLines = 0;
            Fail(now, e);
        }
    }

    private void Flush(DateTimeOffset now)
    {
        _lastFlush = now;
        if (_file is null || _unflushedLines == 0)
        {
            return;
        }

        try
        {
            _file.Flush();
            Interlocked.Add(ref _written, _unflushedLines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Add(ref _failed, _unflushedLines);
            Fail(now, e);
        }

        _unflushedLines = 0;
    }

    private bool EnsureFile(DateTimeOffset now)
    {
        if (_file is not null && (_fileBytes >= _options.MaxFileBytes || now - _fileStarted >= _options.MaxFileAge))
        {
            Flush(now);
            CloseFile();
        }

        if (_file is not null)
        {
            return true;
        }

        if (_error is not null && now < _retryAt)
        {
            return false;
        }

        try
        {
            CreateFolder();
            var start = now;
            var path = Path.Combine(_folder, PredictionLogLines.FileName(start));
            for (var i = 0; i < 1000 && File.Exists(path); i++)
            {
                start = start.AddMilliseconds(1); // a name taken in the same millisecond (a fast rotation) moves on
                path = Path.Combine(_folder, PredictionLogLines.FileName(start));
            }

            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 64 * 1024 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode;
            }

            _file = new FileStream(path, options);
            _fileBytes = 0;
            _fileStarted = start;
            Volatile.Write(ref _filePath, path);
            if (_error is not null)
            {
                _report($"Prediction log: writing again, to {path}; {Interlocked.Read(ref _failed)} lines were lost while it could not.");
                Volatile.Write(ref _error, null);
            }

            ApplyRetention(now);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(now, e);
            return false;
        }
    }

    private void CreateFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_folder);
            return;
        }

        if (!Directory.Exists(_folder))
        {
            Directory.CreateDirectory(_folder, FolderMode);
        }

        if (File.GetUnixFileMode(_folder) != FolderMode)
        {
            File.SetUnixFileMode(_folder, FolderMode); // the log holds personal data: owner only, even in a folder made by someone else
        }
    }

    private void Fail(DateTimeOffset now, Exception e)
    {
        CloseFile();
        _retryAt = now + _options.RetryInterval;
        if (_error is null)
        {
            _report($"Prediction log: cannot write to {_folder}: {e.Message} Predictions are still served, but not logged (counted as failed lines) until it can; trying again every {_options.RetryInterval.TotalSeconds:0.#} s.");
        }

        Volatile.Write(ref _error, e.Message);
    }

    private void CloseFile()
    {
        if (_file is null)
        {
            return;
        }

        try
        {
            _file.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What could not be flushed is counted already (Flush); the handle is gone either way.
        }

        _file = null;
        Volatile.Write(ref _filePath, null);
    }

    /// <summary>The log files, oldest first, with when each was started.</summary>
    private List<(string Path, DateTimeOffset Start)> Files()
    {
        if (!Directory.Exists(_folder))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(_folder, PredictionLogLines.FilePrefix + "*" + PredictionLogLines.FileExtension)
            .Select(p => (Path: p, Start: PredictionLogLines.StartOf(Path.GetFileName(p))))
            .Where(f => f.Start is not null)
            .Select(f => (f.Path, f.Start!.Value))
            .OrderBy(f => f.Value)];
    }

    /// <summary>
    /// Deletes the oldest closed files while all together exceed the size limit, and every closed file
    /// whose lines are all older than the age limit (a file's last line is older than the next file's start).
    /// </summary>
    private void ApplyRetention(DateTimeOffset now)
    {
        var files = Files();
        var sizes = files.Select(f => new FileInfo(f.Path) is { Exists: true } info ? info.Length : 0).ToList();
        var total = sizes.Sum();
        for (var i = 0; i < files.Count; i++)
        {
            if (files[i].Path == _filePath)
            {
                break;
            }

            var end = i + 1 < files.Count ? files[i + 1].Start : now;
            if (total > _options.MaxTotalBytes || end <= now - _options.MaxAge)
            {
                try
                {
                    File.Delete(files[i].Path);
                    total -= sizes[i];
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _report($"Prediction log: cannot delete {files[i].Path} past its retention: {e.Message}");
                }
            }
        }
    }

    /// <summary>Reads every retained file back, oldest first: predictions are remembered again and feedback joined again.</summary>
    private void Replay()
    {
        List<(string Path, DateTimeOffset Start)> files;
        try
        {
            files = Files();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _report($"Prediction log: cannot read {_folder} back: {e.Message} Live metrics start empty.");
            return;
        }

        long unreadable = 0;
        foreach (var (path, _) in files)
        {
            try
            {
                using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
                while (reader.ReadLine() is { } line)
                {
                    if (line.Length == 0 || line.Length > MaxReplayLineBytes)
                    {
                        continue;
                    }

                    try
                    {
                        using var document = JsonDocument.Parse(line);
                        var root = document.RootElement;
                        var known = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String
                            && (type.ValueEquals("prediction"u8) ? Quality.Remember(root) : type.ValueEquals("feedback"u8) && Quality.Replay(root));
                        if (known)
                        {
                            _replayed++;
                        }
                        else
                        {
                            unreadable++;
                        }
                    }
                    catch (JsonException)
                    {
                        unreadable++; // a line cut short by a crash or a full disk
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _report($"Prediction log: cannot read {path} back: {e.Message} Its predictions are not remembered.");
            }
        }

        if (unreadable > 0)
        {
            _report($"Prediction log: {unreadable} lines in {_folder} could not be read back (cut short, or not written by this server) and were skipped.");
        }
    }
}
