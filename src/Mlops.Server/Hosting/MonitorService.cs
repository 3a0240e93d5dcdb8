using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Mlops.Declarations.Environments;
using Mlops.Runtime.Features;
using Mlops.Runtime.Git;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Monitoring.Alerts;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Hosting;

/// <summary>
/// The server's monitor: answered requests are handed over on the request path (a copy of the checked
/// rows into a bounded queue that drops and counts rather than wait), recorded into the live windows by
/// one background reader, and evaluated every <see cref="ServeOptions.MonitorEvaluateSeconds"/> (and
/// on demand for <c>GET /monitoring</c>): drift against each version's reference, the environment
/// file's alert rules through the alert engine (log and webhook), and the monitor's gauges for
/// <c>/metrics</c>.
/// </summary>
internal sealed class MonitorService : BackgroundService
{
    private const int QueueCapacity = 65_536;
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(20);

    private readonly ModelHost _host;
    private readonly TimeProvider _time;
    private readonly IOptions<ServeOptions> _options;
    private readonly MlopsMetrics _metrics;
    private readonly PredictionLog _log;
    private readonly ILogger<MonitorService> _logger;
    private readonly Channel<Answered> _queue;
    private readonly HttpClient _webhooks = new();
    private readonly AlertDispatcher _dispatcher;
    private readonly Lazy<AlertEngine> _engine;
    private readonly Lazy<LiveMonitor> _monitor;
    private readonly Lock _evaluating = new();
    private string? _promotionCommit;
    private HashSet<(string Model, int Version)> _served = [];
    private readonly Lazy<bool> _enabled;
    private readonly Lazy<long> _maxRowsPerSecond;
    private long _budgetSecond;
    private long _rowsThisSecond;
    private long _notSampled;
    private long _dropped;
    private MonitorReport? _latest;

    public MonitorService(ModelHost host, TimeProvider time, IOptions<ServeOptions> options, MlopsMetrics metrics, PredictionLog log, ILogger<MonitorService> logger)
    {
        _host = host;
        _time = time;
        _options = options;
        _metrics = metrics;
        _log = log;
        _logger = logger;
        // Nothing here reads the options or the host: the constructor runs before the options are
        // validated at start, and a bad setting must fail as an OptionsValidationException.
        _queue = Channel.CreateBounded<Answered>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite }, _ => Interlocked.Increment(ref _dropped));
        _dispatcher = new AlertDispatcher(_webhooks, logger, time);
        _engine = new(() => new AlertEngine(options.Value.Environment, time, _dispatcher));
        _monitor = new(() => new LiveMonitor(host.Snapshot.Monitoring, time));
        _enabled = new(() => options.Value.Monitoring.Enabled);
        _maxRowsPerSecond = new(() => options.Value.Monitoring.MaxRowsPerSecond);
    }

    /// <summary>The monitor every served version is recorded in.</summary>
    public LiveMonitor Monitor => _monitor.Value;

    /// <summary>Whether answered requests are recorded (<c>Mlops:Monitoring:Enabled</c>); off, the windows stay empty and recording costs a flag check.</summary>
    public bool Enabled => _enabled.Value;

    /// <summary>Answered requests the queue had no room for (counted, never waited for).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The alert engine (for tests and the status page).</summary>
    public AlertEngine Alerts => _engine.Value;

    /// <summary>The webhook deliveries so far.</summary>
    public WebhookCounts Webhooks => _dispatcher.Counts;

    /// <summary>
    /// Hands an answered request over (on the request path). Every request's latency and outcome is
    /// kept; its rows are copied (the batch they came in may be reused) while this second's row budget
    /// (<see cref="MonitoringOptions.MaxRowsPerSecond"/>) lasts, so that at a high rate the windows hold
    /// a sample of the rows instead of every row costing the request threads. Everything else happens
    /// on the background reader.
    /// </summary>
    public void TryRecord(ServedBatch answer, FeatureBatch batch, TimeSpan latency)
    {
        var now = _time.GetUtcNow();
        _queue.Writer.TryWrite(new Answered(answer, TakeRows(batch.RowCount, now) ? batch.Copy() : null, latency, now));
    }

    /// <summary>Rows handed over but not recorded into the windows because the second's row budget was spent.</summary>
    public long RowsNotSampled => Interlocked.Read(ref _notSampled);

    private bool TakeRows(int rows, DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        if (second != Volatile.Read(ref _budgetSecond))
        {
            // A new second: the first request to see it resets the budget (a race only lets a few rows more through).
            Volatile.Write(ref _budgetSecond, second);
            Interlocked.Exchange(ref _rowsThisSecond, 0);
        }

        if (Interlocked.Add(ref _rowsThisSecond, rows) <= _maxRowsPerSecond.Value)
        {
            return true;
        }

        Interlocked.Add(ref _notSampled, rows);
        return false;
    }

    /// <summary>Records what is queued, evaluates, and keeps the report.</summary>
    public MonitorReport Evaluate()
    {
        lock (_evaluating)
        {
            Drain();
            var snapshot = _host.Snapshot;
            Monitor.Apply(snapshot.Monitoring);
            RefreshPromotion(snapshot);
            var live = _log.Writer?.Quality.Snapshot(_time.GetUtcNow() - Monitor.Window, _time.GetUtcNow());
            var report = Monitor.Evaluate(snapshot, (model, version) => LiveFigures(live, model, version));
            Retire(report);
            var statuses = Observe(snapshot.Monitoring.Alerts, report);
            report = report with { Alerts = statuses };
            SetGauges(report, snapshot.Monitoring.Alerts);
            Volatile.Write(ref _latest, report);
            return report;
        }
    }

    /// <summary>The latest report; evaluated now when none was made yet.</summary>
    public MonitorReport Latest => Volatile.Read(ref _latest) ?? Evaluate();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _dispatcher.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _webhooks.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(_options.Value.MonitorEvaluateSeconds);
        var next = _time.GetUtcNow() + every;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(s_poll, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                // Polled rather than awaited, as the prediction log's writer: a reader waiting on the queue
                // would make every request's hand-over wake a thread.
                lock (_evaluating)
                {
                    Drain();
                }

                if (_time.GetUtcNow() >= next)
                {
                    next = _time.GetUtcNow() + every;
                    Evaluate();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Watching must never stop serving: report and go on at the next tick.
                _logger.LogError(e, "The monitor could not record or evaluate the served versions; it goes on at the next tick");
            }
        }
    }

    private void Drain()
    {
        var snapshot = _host.Snapshot;
        while (_queue.Reader.TryRead(out var item))
        {
            if (!snapshot.Models.TryGetValue(item.Answer.Model, out var served))
            {
                continue;
            }

            var (version, role, failed) = item.Answer.Role switch
            {
                ServedRole.Primary => (served.Primary, "primary", false),
                ServedRole.Canary => (served.Canary?.Model, "canary", false),
                // The fallback answered because the primary failed: the primary's request failed.
                ServedRole.Fallback => (served.Primary, "primary", true),
                _ => Explicit(served, snapshot, item.Answer),
            };
            if (version is null)
            {
                continue;
            }

            Monitor.RecordRequest(version, role, item.Latency, failed, item.At);
            if (!failed && item.Rows is { } rows)
            {
                Monitor.Record(version, role, rows, item.Answer.Predictions, item.At);
            }

            // The shadow scored the same rows: it is watched in windows of its own.
            if (item.Answer.Shadow is { } shadowed && served.Shadow is { } shadow && shadow.Version == shadowed.ShadowVersion)
            {
                Monitor.RecordRequest(shadow, "shadow", item.Latency, shadowed.Error is not null, item.At);
                if (shadowed.Predictions is { } predictions && item.Rows is { } shadowRows)
                {
                    Monitor.Record(shadow, "shadow", shadowRows, predictions, item.At);
                }
            }
        }
    }

    private static (LoadedModel?, string, bool) Explicit(ServedModel served, ServingSnapshot snapshot, ServedBatch answer)
    {
        var version = snapshot.FindVersion(answer.Model, answer.Version);
        var role = ReferenceEquals(version, served.Canary?.Model) ? "canary" : ReferenceEquals(version, served.Shadow) ? "shadow" : "primary";
        return (version, role, false);
    }

    private static IReadOnlyDictionary<string, double>? LiveFigures(Runtime.Monitoring.Predictions.LiveQualitySnapshot? live, string model, int version)
    {
        var quality = live?.Versions.FirstOrDefault(v => v.Model == model && v.Version == version);
        if (quality is null)
        {
            return null;
        }

        var figures = new Dictionary<string, double>(quality.Overall.Metrics, StringComparer.Ordinal) { ["feedback"] = quality.Overall.Labelled };
        return figures;
    }

    private List<AlertStatus> Observe(IReadOnlyList<AlertRule> rules, MonitorReport report)
    {
        foreach (var rule in rules)
        {
            foreach (var model in report.Models)
            {
                foreach (var version in model.Versions)
                {
                    _engine.Value.Observe(Observation(rule, model.Model, version));
                }
            }
        }

        var now = report.At;
        var statuses = _engine.Value.Active.Select(a => new AlertStatus(
            a.Rule.When, KindName(a.Rule.Condition.Kind), a.Model, a.Version, a.Phase == AlertPhase.Firing ? "firing" : "pending", a.ActiveSince, a.Value, Message(a)))
            .ToList();
        statuses.AddRange(_engine.Value.ResolvedSince(now - Monitor.Window).Select(n => new AlertStatus(
            n.Rule.When, KindName(n.Rule.Condition.Kind), n.Model, n.Version, "resolved", n.EndsAt ?? now, n.Value, AlertMessage.Summary(n))));
        return statuses;
    }

    // The value each rule compares, from the open window (docs/monitoring.md, "Alerts"); null when the window cannot tell.
    private static AlertObservation Observation(AlertRule rule, string model, VersionMonitor version)
    {
        double? Figure(string name) => version.Figures.TryGetValue(name, out var value) ? value : null;
        switch (rule.Condition.Kind)
        {
            case AlertConditionKind.Drift:
                var drifted = version.Drift.Where(f => f.Drifted).Select(f => f.Feature).ToList();
                return new(rule, model, version.Version, version.Drift.Count == 0 ? null : version.Drifted ? 1 : 0,
                    drifted.Count == 0 ? null : "drifted: " + string.Join(", ", drifted));
            case AlertConditionKind.NullRate:
                var worst = version.Drift.OrderByDescending(f => f.CurrentNullRate).FirstOrDefault();
                return new(rule, model, version.Version, worst?.CurrentNullRate, worst is null ? null : $"{worst.Feature} (reference {worst.ReferenceNullRate.ToString("0.###", CultureInfo.InvariantCulture)})");
            case AlertConditionKind.P99LatencyMs:
                return new(rule, model, version.Version, Figure("p99LatencyMs"));
            case AlertConditionKind.ErrorRate or AlertConditionKind.FallbackRate:
                // A request the version failed is answered by the fallback when there is one, else it is an error: one figure for both.
                return new(rule, model, version.Version, Figure("errorRate"));
            default:
                var enough = (Figure("feedback") ?? 0) >= LiveMonitor.MinimumFeedback;
                return new(rule, model, version.Version, enough ? Figure(rule.Condition.Metric) : null, $"{Figure("feedback") ?? 0:0} labelled predictions",
                    version.Training.TryGetValue(rule.Condition.Metric, out var training) ? training : null);
        }
    }

    // Active alerts are said with the same one line as notifications (AlertMessage.Summary); a pending one is marked so.
    private string Message(AlertState state)
    {
        var summary = AlertMessage.Summary(new AlertNotification(
            AlertNotificationStatus.Firing, _engine.Value.Environment, state.Model, state.Version, state.Rule, state.Value, state.Threshold, state.Detail,
            state.ActiveSince, null, _engine.Value.LastPromotion, _engine.Value.RollbackCommand, state.Rule.Runbook));
        return state.Phase == AlertPhase.Firing ? summary : "PENDING" + summary["FIRING".Length..];
    }

    private void SetGauges(MonitorReport report, IReadOnlyList<AlertRule> rules)
    {
        var gauges = _metrics.Monitoring;
        foreach (var model in report.Models)
        {
            foreach (var version in model.Versions)
            {
                gauges.SetDatasetDrifted(model.Model, version.Version, version.Drifted);
                foreach (var feature in version.Drift)
                {
                    if (feature.Statistic is { } statistic)
                    {
                        gauges.SetFeatureDrift(model.Model, version.Version, feature.Feature, feature.Method, feature.PValue ?? statistic, feature.Drifted);
                    }

                    gauges.SetNullRatio(model.Model, version.Version, feature.Feature, feature.CurrentNullRate);
                }

                foreach (var (name, value) in version.Figures.Where(f => !LiveMonitor.ServiceFigures.Contains(f.Key)))
                {
                    gauges.SetLiveMetric(model.Model, version.Version, name, value);
                }
            }
        }

        foreach (var rule in rules)
        {
            foreach (var model in report.Models)
            {
                gauges.SetAlertFiring(model.Model, rule.Id, _engine.Value.Firing.Any(a => a.Model == model.Model && a.Rule.Id == rule.Id));
            }
        }
    }

    // A version no longer served (rolled back, a canary ended) resolves its alerts and leaves the gauges.
    private void Retire(MonitorReport report)
    {
        var served = report.Models.SelectMany(m => m.Versions.Select(v => (m.Model, v.Version))).ToHashSet();
        foreach (var (model, version) in _served.Where(v => !served.Contains(v)))
        {
            _engine.Value.Retire(model, version);
            _metrics.Monitoring.RemoveVersion(model, version);
        }

        _served = served;
    }

    private void RefreshPromotion(ServingSnapshot snapshot)
    {
        if (snapshot.Commit is not { } commit || commit == _promotionCommit || _options.Value.GitUrl is not null)
        {
            return;
        }

        _promotionCommit = commit;
        try
        {
            using var git = GitRepository.Discover(Path.GetFullPath(_options.Value.Repo));
            if (git?.WorkingDirectory is { } workTree && git.Head.Commit is { } tip)
            {
                var file = Path.GetRelativePath(workTree, Path.Combine(Path.GetFullPath(_options.Value.Repo), "environments", snapshot.Environment + ".yaml")).Replace('\\', '/');
                _engine.Value.LastPromotion = LastPromotion.Read(git, tip, file);
            }
        }
        catch (GitException e)
        {
            _logger.LogWarning("Alert messages will not name the last promotion: {Reason}", e.Message);
        }
    }

    private static string KindName(AlertConditionKind kind) => kind switch
    {
        AlertConditionKind.Drift => "drift",
        AlertConditionKind.NullRate => "nullRate",
        AlertConditionKind.P99LatencyMs => "p99LatencyMs",
        AlertConditionKind.ErrorRate => "errorRate",
        AlertConditionKind.FallbackRate => "fallbackRate",
        _ => "liveMetric",
    };

    private sealed record Answered(ServedBatch Answer, FeatureBatch? Rows, TimeSpan Latency, DateTimeOffset At);
}
