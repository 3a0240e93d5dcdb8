using Microsoft.Extensions.Options;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Runtime.Reconcile;

namespace Mlops.Server.Hosting;

/// <summary>
/// The server's prediction log and feedback join (<c>Mlops:PredictionLog:*</c>, docs/monitoring.md):
/// off unless a folder is set. It starts the writer once the first reconcile has loaded the
/// versions (so predictions read back from the folder find their slices and training metrics) and
/// writes what is queued when the server stops. Problems (a folder that cannot be written) are
/// logged once each, under <see cref="Category"/>.
/// </summary>
internal sealed class PredictionLog : IHostedService, IAsyncDisposable
{
    /// <summary>The log category of the log's own messages (never predictions).</summary>
    public const string Category = "Mlops.Server.PredictionLog";

    private static readonly TimeSpan s_loadWait = TimeSpan.FromSeconds(60);

    private readonly ModelHost _host;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _starting;
    private int _stopped;

    public PredictionLog(IOptions<ServeOptions> options, ModelHost host, TimeProvider time, ILoggerFactory loggers)
    {
        _host = host;
        _time = time;
        var settings = options.Value.PredictionLog;
        if (settings.Folder is null)
        {
            return;
        }

        var logger = loggers.CreateLogger(Category);
        var quality = new LiveQuality(settings.RememberedPredictions, settings.LabelledPerVersion, (model, version) => host.Snapshot.FindVersion(model, version)?.Manifest);
        Writer = new PredictionLogWriter(settings, quality, time, message => logger.LogWarning("{Message}", message));
    }

    /// <summary>The writer, or null when the log is off.</summary>
    public PredictionLogWriter? Writer { get; }

    /// <summary>Whether predictions are logged.</summary>
    public bool Enabled => Writer is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Writer is { } writer)
        {
            _starting = Task.Run(async () =>
            {
                // Bounded: a server whose store is unreachable still logs, without slices for the lines read back.
                var until = _time.GetUtcNow() + s_loadWait;
                while (_host.Snapshot.Commit is null && _time.GetUtcNow() < until && !_stopping.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None).ConfigureAwait(false);
                }

                writer.Start();
            }, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => StopOnceAsync();

    public async ValueTask DisposeAsync() => await StopOnceAsync().ConfigureAwait(false);

    /// <summary>Writes what is queued and closes the file, once: the host stops it, then the container disposes it.</summary>
    private async Task StopOnceAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_starting is { } starting)
        {
            await starting.ConfigureAwait(false);
        }

        if (Writer is { } writer)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
