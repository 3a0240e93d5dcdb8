using Microsoft.Extensions.Options;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;

namespace Mlops.Server.Hosting;

/// <summary>
/// Evaluates the live monitor every <see cref="ServeOptions.MonitorEvaluateSeconds"/> (and on demand
/// for <c>GET /monitoring</c>): the served versions' open windows against their references, the
/// environment file's monitoring block as last read. Keeps the latest report for readers.
/// </summary>
internal sealed class MonitorService(ModelHost host, TimeProvider time, IOptions<ServeOptions> options, ILogger<MonitorService> logger) : BackgroundService
{
    private MonitorReport? _latest;

    /// <summary>The monitor every served version is recorded in.</summary>
    public LiveMonitor Monitor { get; } = new(host.Snapshot.Monitoring, time);

    /// <summary>The latest report; evaluated now when none was made yet.</summary>
    public MonitorReport Latest => Volatile.Read(ref _latest) ?? Evaluate();

    /// <summary>Evaluates now and keeps the report.</summary>
    public MonitorReport Evaluate()
    {
        var snapshot = host.Snapshot;
        Monitor.Apply(snapshot.Monitoring);
        var report = Monitor.Evaluate(snapshot);
        Volatile.Write(ref _latest, report);
        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.MonitorEvaluateSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                Evaluate();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Watching must never stop serving: report and try again at the next tick.
                logger.LogError(e, "The monitor could not evaluate the served versions; it tries again in {Seconds} s", options.Value.MonitorEvaluateSeconds);
            }
        }
    }
}
