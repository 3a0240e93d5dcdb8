using Mlops.Declarations.Environments;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>
/// Evaluates an environment's alert rules against observations, with the states Prometheus uses: a breach makes the alert
/// pending; once it has held for the rule's <c>for</c> (at the first observation at or after that), it fires, and one firing
/// notification is published; while it keeps breaching nothing more is sent; the first observation that no longer breaches
/// resolves it (one resolved notification), and a pending alert that stops breaching goes back to inactive silently. An
/// inconclusive observation (no value, or no training figure for a rule that needs one) changes nothing. Each rule, model
/// and version is its own alert. Thread-safe; time comes from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class AlertEngine
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Rule, string Model, int Version), AlertState> _active = [];
    private readonly TimeProvider _time;
    private readonly IAlertPublisher _publisher;
    private readonly Uri? _runbookBase;
    private readonly Queue<AlertNotification> _resolved = new();
    private PromotionInfo? _lastPromotion;

    /// <summary>How many resolved alerts <see cref="ResolvedSince"/> can answer with; older ones are forgotten first.</summary>
    public const int ResolvedKept = 1000;

    /// <summary>Creates the engine of one environment.</summary>
    /// <param name="environment">The environment's name; the rollback command names it.</param>
    /// <param name="time">The clock.</param>
    /// <param name="publisher">Receives firing and resolved notifications (an <see cref="AlertDispatcher"/>).</param>
    /// <param name="lastPromotion">The environment's last promotion, if known; see <see cref="LastPromotion"/>.</param>
    /// <param name="runbookBase">When set, a runbook path is made a link relative to it (for example the repository's web address of the branch); a runbook URL is kept.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public AlertEngine(string environment, TimeProvider time, IAlertPublisher publisher, PromotionInfo? lastPromotion = null, Uri? runbookBase = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(publisher);
        Environment = environment;
        _time = time;
        _publisher = publisher;
        _lastPromotion = lastPromotion;
        _runbookBase = runbookBase;
    }

    /// <summary>The environment.</summary>
    public string Environment { get; }

    /// <summary>The exact command that undoes the environment's last promotion.</summary>
    public string RollbackCommand => $"mlops rollback {Environment}";

    /// <summary>The environment's last promotion, named in messages; the server sets it again when it follows a new commit.</summary>
    public PromotionInfo? LastPromotion
    {
        get => Volatile.Read(ref _lastPromotion);
        set => Volatile.Write(ref _lastPromotion, value);
    }

    /// <summary>The pending and firing alerts, in rule, model and version order.</summary>
    public IReadOnlyList<AlertState> Active
    {
        get
        {
            lock (_gate)
            {
                return [.. _active.Values.OrderBy(s => s.Rule.Id, StringComparer.Ordinal).ThenBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Version)];
            }
        }
    }

    /// <summary>The firing alerts, for the <c>mlops_alert_firing</c> gauge.</summary>
    public IReadOnlyList<AlertState> Firing => [.. Active.Where(s => s.Phase == AlertPhase.Firing)];

    /// <summary>The resolved messages sent at or after <paramref name="since"/> (at most <see cref="ResolvedKept"/>, oldest first), for a report of recent alerts.</summary>
    /// <param name="since">The earliest end time wanted, for example the start of the last window.</param>
    public IReadOnlyList<AlertNotification> ResolvedSince(DateTimeOffset since)
    {
        lock (_gate)
        {
            return [.. _resolved.Where(n => n.EndsAt >= since)];
        }
    }

    /// <summary>Evaluates one observation and publishes what it changes.</summary>
    /// <param name="observation">The rule, the version and its value now.</param>
    /// <returns>The phase of the alert after the observation (<see cref="AlertPhase.Inactive"/> when resolved or never breached; unchanged when inconclusive).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="observation"/> is null.</exception>
    public AlertPhase Observe(AlertObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var rule = observation.Rule;
        var key = (rule.Id, observation.Model, observation.Version);
        var threshold = rule.Condition.ThresholdFor(observation.Training);
        AlertPhase phase;
        lock (_gate)
        {
            _active.TryGetValue(key, out var state);
            AlertNotification? notification = null;
            if (observation.Value is not { } value || double.IsNaN(value) || threshold is not { } limit)
            {
                return state?.Phase ?? AlertPhase.Inactive;
            }

            var now = _time.GetUtcNow();
            if (rule.Condition.IsBreach(value, limit))
            {
                var since = state?.ActiveSince ?? now;
                var fires = state?.Phase == AlertPhase.Firing || now - since >= rule.For;
                var next = new AlertState(rule, observation.Model, observation.Version, fires ? AlertPhase.Firing : AlertPhase.Pending, since, value, limit, observation.Detail);
                if (fires && state?.Phase != AlertPhase.Firing)
                {
                    notification = Notification(AlertNotificationStatus.Firing, next, endsAt: null);
                }

                _active[key] = next;
                phase = next.Phase;
            }
            else
            {
                if (state?.Phase == AlertPhase.Firing)
                {
                    notification = Notification(AlertNotificationStatus.Resolved, state with { Value = value, Threshold = limit, Detail = observation.Detail }, endsAt: now);
                    Keep(notification);
                }

                _active.Remove(key);
                phase = AlertPhase.Inactive;
            }

            // Inside the lock, so two observations of one alert on two threads publish in the order they changed it;
            // publishers return at once (IAlertPublisher).
            if (notification is not null)
            {
                _publisher.Publish(notification);
            }
        }

        return phase;
    }

    /// <summary>
    /// Ends the alerts of a version no longer served (rolled back, a canary completed or aborted), as Prometheus resolves an
    /// alert whose series disappeared: each firing one publishes a resolved message with its last value; pending ones are dropped.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version that stopped being served.</param>
    /// <returns>How many firing alerts were resolved.</returns>
    public int Retire(string model, int version)
    {
        ArgumentNullException.ThrowIfNull(model);
        var resolved = 0;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var entry in _active.Where(e => e.Key.Model == model && e.Key.Version == version).OrderBy(e => e.Key.Rule, StringComparer.Ordinal).ToList())
            {
                _active.Remove(entry.Key);
                if (entry.Value.Phase == AlertPhase.Firing)
                {
                    var notification = Notification(AlertNotificationStatus.Resolved, entry.Value with { Detail = "no longer served" }, endsAt: now);
                    Keep(notification);
                    _publisher.Publish(notification);
                    resolved++;
                }
            }
        }

        return resolved;
    }

    private void Keep(AlertNotification resolved)
    {
        _resolved.Enqueue(resolved);
        while (_resolved.Count > ResolvedKept)
        {
            _resolved.Dequeue();
        }
    }

    private AlertNotification Notification(AlertNotificationStatus status, AlertState state, DateTimeOffset? endsAt) =>
        new(status, Environment, state.Model, state.Version, state.Rule, state.Value, state.Threshold, state.Detail,
            state.ActiveSince, endsAt, LastPromotion, RollbackCommand, RunbookLink(state.Rule.Runbook));

    private string? RunbookLink(string? runbook)
    {
        if (runbook is null || _runbookBase is null
            || runbook.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || runbook.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return runbook;
        }

        return new Uri(_runbookBase, runbook.TrimStart('/')).ToString();
    }
}
