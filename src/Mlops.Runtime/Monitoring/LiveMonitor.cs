using System.Collections.Concurrent;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Monitoring.Windows;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring;

/// <summary>
/// Watches what a server serves: each served version (primary, canary, shadow) keeps windows of its
/// feature values, null rates, predictions, requests and latencies, as the environment file's
/// <c>monitoring.window</c> says, and <see cref="Evaluate"/> compares the open window with the
/// version's reference sample (kept in its bundle) by the drift rules of <see cref="DriftDetector"/>.
/// Recording is done off the request path, by the one background reader of the served-request queue;
/// evaluation by a timer every few seconds, so a change shows before the window closes.
/// </summary>
public sealed class LiveMonitor
{
    /// <summary>Labelled predictions a version needs in a window before a live quality metric counts (for alerts and canary analysis).</summary>
    public const int MinimumFeedback = 30;

    /// <summary>The figures of <see cref="VersionMonitor.Figures"/> that are not live quality metrics.</summary>
    public static readonly IReadOnlySet<string> ServiceFigures = new HashSet<string>(StringComparer.Ordinal) { "rows", "requests", "errorRate", "p50LatencyMs", "p99LatencyMs", "driftedShare", "feedback" };

    private readonly ConcurrentDictionary<(string Model, int Version, string Role), Watched> _versions = new();
    private readonly TimeProvider _time;
    private readonly int _sampleSize;
    private MonitoringSpec _spec;
    private DriftOptions _drift;

    /// <summary>Starts watching nothing.</summary>
    /// <param name="spec">The environment's monitoring block.</param>
    /// <param name="time">The clock.</param>
    /// <param name="sampleSize">Numbers each feature keeps per window (10,000 by default; docs/monitoring.md gives the error this costs).</param>
    public LiveMonitor(MonitoringSpec spec, TimeProvider time, int sampleSize = 10_000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _sampleSize = sampleSize;
        _spec = spec;
        _drift = OptionsOf(spec.Drift);
    }

    /// <summary>The window length in force.</summary>
    public TimeSpan Window => _spec.Window;

    /// <summary>
    /// Takes a new monitoring block (the environment file changed). A new window length starts new
    /// windows; versions keep their history otherwise.
    /// </summary>
    /// <param name="spec">The monitoring block.</param>
    public void Apply(MonitoringSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Window != _spec.Window)
        {
            _versions.Clear();
        }

        // The same rules keep the same options, so the judged closed windows stay cached (History).
        if (!Equals(spec.Drift, _spec.Drift))
        {
            _drift = OptionsOf(spec.Drift);
        }

        _spec = spec;
    }

    /// <summary>Records a scored batch of a version (on the background reader, never on the request path).</summary>
    /// <param name="model">The version that scored it.</param>
    /// <param name="role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
    /// <param name="batch">The checked rows.</param>
    /// <param name="predictions">The version's answer.</param>
    /// <param name="at">When it was answered.</param>
    public void Record(LoadedModel model, string role, FeatureBatch batch, BatchPredictions predictions, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(model);
        Watch(model, role).Windows.Record(batch, predictions, at);
    }

    /// <summary>Records one request a version answered, its latency and whether it failed.</summary>
    /// <param name="model">The version.</param>
    /// <param name="role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
    /// <param name="latency">From reading the body to the answer.</param>
    /// <param name="failed">Whether the version failed to score it.</param>
    /// <param name="at">When it was answered.</param>
    public void RecordRequest(LoadedModel model, string role, TimeSpan latency, bool failed, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(model);
        Watch(model, role).Windows.RecordRequest(latency, failed, at);
    }

    /// <summary>
    /// The figures of every watched version that the snapshot still serves, in the open window, with
    /// drift against each version's reference; versions no longer served are forgotten.
    /// </summary>
    /// <param name="snapshot">What is served now.</param>
    /// <param name="live">Live quality per version (from feedback), if any: model, version to figures by name.</param>
    /// <param name="alerts">The alert states to report with the figures.</param>
    public MonitorReport Evaluate(ServingSnapshot snapshot, Func<string, int, IReadOnlyDictionary<string, double>?>? live = null, IReadOnlyList<AlertStatus>? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var now = _time.GetUtcNow();
        var served = new HashSet<(string, int, string)>();
        var models = new List<ModelMonitor>();
        foreach (var (name, model) in snapshot.Models.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var versions = new List<VersionMonitor>();
            foreach (var (loaded, role) in Roles(model))
            {
                served.Add((name, loaded.Version, role));
                var watched = Watch(loaded, role);
                versions.Add(Figures(watched, role, watched.Windows.Snapshot(now), live?.Invoke(name, loaded.Version)));
            }

            models.Add(new ModelMonitor(name, versions));
        }

        foreach (var key in _versions.Keys.Where(k => !served.Contains(k)))
        {
            _versions.TryRemove(key, out _);
        }

        return new MonitorReport(snapshot.Environment, now, _spec.Window.TotalSeconds, models, alerts ?? []);
    }

    /// <summary>
    /// One watched version's windows with drift judged in each: the closed windows that are kept
    /// (oldest first) and the open one, last. A closed window never changes, so its drift is
    /// judged once and kept as long as the window is (the recording path is not involved).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
    /// <returns>The history, or null when the version is not watched (not served, or not evaluated yet).</returns>
    public VersionHistory? History(string model, int version, string role)
    {
        if (!_versions.TryGetValue((model, version, role), out var watched))
        {
            return null;
        }

        var history = watched.Windows.Snapshot(_time.GetUtcNow());
        var options = _drift;
        var windows = new List<WindowDrift>(history.Closed.Count + 1);
        windows.AddRange(watched.Closed.Judged(history.Closed, options, w => Judge(watched.Reference, w, options, isOpen: false)));
        windows.Add(Judge(watched.Reference, history.Open, options, isOpen: true));
        return new VersionHistory(model, version, role, watched.Reference is not null, windows);
    }

    /// <summary>
    /// The open window of a watched version compared with its reference as <c>mlops drift</c> compares
    /// two files: the whole report and the columns compared, for a drift report of a served version.
    /// Features marked sensitive are left out (their values are not kept in the bundle, and a report
    /// draws values). Null when the version is not watched, its bundle has no reference sample, or the
    /// window has no rows yet.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
    public WindowComparison? CompareOpen(string model, int version, string role)
    {
        if (!_versions.TryGetValue((model, version, role), out var watched) || watched.Reference is not { } reference)
        {
            return null;
        }

        var open = watched.Windows.Snapshot(_time.GetUtcNow()).Open;
        if (open.Rows == 0)
        {
            return null;
        }

        var sensitive = watched.Model.Schema.Inputs.Where(i => i.Sensitivity != FeatureSensitivity.None).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<ColumnValues> kept = [.. reference.Where(c => !sensitive.Contains(c.Name))];
        IReadOnlyList<ColumnValues> current = [.. open.Features.Where(f => !sensitive.Contains(f.Name)).Select(f => f.ToValues())];
        return new WindowComparison(open, DriftDetector.Compare(kept, current, _drift), kept, current);
    }

    private static WindowDrift Judge(IReadOnlyList<ColumnValues>? reference, WindowFigures window, DriftOptions options, bool isOpen)
    {
        if (reference is null || window.Rows == 0)
        {
            return new WindowDrift(window, isOpen, [], null, false);
        }

        var report = DriftDetector.Compare(reference, [.. window.Features.Select(f => f.ToValues())], options);
        var nullRates = window.Features.ToDictionary(f => f.Name, f => f.NullRate, StringComparer.Ordinal);
        return new WindowDrift(window, isOpen, [.. report.Features.Select(f => new FeatureDriftStatus(
            f.Name, DriftMethods.Name(f.Method), f.Statistic, f.PValue, f.Threshold, f.Drifted, f.Inconclusive, f.ReferenceNullRate, nullRates.GetValueOrDefault(f.Name)))],
            report.DriftedShare, report.Drifted);
    }

    private VersionMonitor Figures(Watched watched, string role, WindowHistory history, IReadOnlyDictionary<string, double>? live)
    {
        var open = history.Open;
        var figures = new Dictionary<string, double>(StringComparer.Ordinal) { ["rows"] = open.Rows, ["requests"] = open.Requests };
        if (open.FailureRate is { } failureRate)
        {
            figures["errorRate"] = failureRate;
        }

        if (open.Latency.QuantileMs(0.5) is { } p50)
        {
            figures["p50LatencyMs"] = p50;
        }

        if (open.P99LatencyMs is { } p99)
        {
            figures["p99LatencyMs"] = p99;
        }

        foreach (var (metric, value) in live ?? new Dictionary<string, double>())
        {
            figures[metric] = value;
        }

        var judged = Judge(watched.Reference, open, _drift, isOpen: true);
        if (judged.DriftedShare is { } share)
        {
            figures["driftedShare"] = share;
        }

        var training = watched.Model.Manifest.Metrics.Overall;
        return new VersionMonitor(watched.Model.Version, watched.Model.Digest, role, open.Start, open.End, figures, training, judged.Drift, judged.Drifted);
    }

    private Watched Watch(LoadedModel model, string role) =>
        _versions.GetOrAdd((model.Model, model.Version, role), _ => new Watched(model, new VersionWindows(model.Schema.Inputs, _spec.Window, _sampleSize), model.Reference));

    /// <summary>The versions a served model watches, with their roles: primary, then canary and shadow when served.</summary>
    /// <param name="model">The served model.</param>
    public static IEnumerable<(LoadedModel Model, string Role)> Roles(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Primary is { } primary)
        {
            yield return (primary, "primary");
        }

        if (model.Canary is { } canary)
        {
            yield return (canary.Model, "canary");
        }

        if (model.Shadow is { } shadow)
        {
            yield return (shadow, "shadow");
        }
    }

    private static DriftOptions OptionsOf(DriftSpec? spec) =>
        spec is null ? new DriftOptions()
        : new DriftOptions
        {
            Method = DriftMethods.TryParse(spec.Method, out var method) ? method : DriftMethod.Auto,
            Threshold = spec.Threshold,
            DriftShare = spec.DriftShare,
        };

    private sealed record Watched(LoadedModel Model, VersionWindows Windows, IReadOnlyList<ColumnValues>? Reference)
    {
        public ClosedDrift Closed { get; } = new();
    }

    /// <summary>The drift of a version's closed windows, judged once each; bounded by the windows kept.</summary>
    private sealed class ClosedDrift
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<DateTimeOffset, WindowDrift> _byStart = [];
        private DriftOptions? _options;

        public List<WindowDrift> Judged(IReadOnlyList<WindowFigures> closed, DriftOptions options, Func<WindowFigures, WindowDrift> judge)
        {
            lock (_lock)
            {
                // New drift rules (the environment file changed) judge every window again.
                if (!ReferenceEquals(options, _options))
                {
                    _byStart.Clear();
                    _options = options;
                }

                var judged = new List<WindowDrift>(closed.Count);
                foreach (var window in closed)
                {
                    if (!_byStart.TryGetValue(window.Start, out var drift))
                    {
                        drift = judge(window);
                        _byStart[window.Start] = drift;
                    }

                    judged.Add(drift);
                }

                foreach (var gone in _byStart.Keys.Where(k => !closed.Any(c => c.Start == k)).ToList())
                {
                    _byStart.Remove(gone);
                }

                return judged;
            }
        }
    }
}
