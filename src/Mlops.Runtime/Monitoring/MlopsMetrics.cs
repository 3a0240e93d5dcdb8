using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring;

/// <summary>The kind of a Prometheus series.</summary>
public enum MetricKind
{
    /// <summary>Only grows (resets when the process restarts); its name ends in <c>_total</c>.</summary>
    Counter,

    /// <summary>A current value.</summary>
    Gauge,

    /// <summary>Counts of observations per bucket, their sum and count.</summary>
    Histogram,
}

/// <summary>One exported series family: its name (the instrument's name and the Prometheus name alike), kind, labels and meaning.</summary>
/// <param name="Name">The name, with its unit and <c>_total</c> for counters (Prometheus' conventions).</param>
/// <param name="Kind">Counter, gauge or histogram.</param>
/// <param name="Labels">The label names, in the order every measurement passes them.</param>
/// <param name="Help">What it measures (the HELP line).</param>
public sealed record MetricDefinition(string Name, MetricKind Kind, IReadOnlyList<string> Labels, string Help);

/// <summary>The two serving routes requests are counted under.</summary>
public enum RequestRoute
{
    /// <summary><c>POST /v2/models/{name}/infer</c> (and <c>/versions/{v}/infer</c>).</summary>
    V2,

    /// <summary><c>POST /models/{name}/predict</c>.</summary>
    Predict,
}

/// <summary>Why a request to a served model got no answer.</summary>
public enum RequestErrorKind
{
    /// <summary>The request was wrong (400, 404 for a version, 413, 415).</summary>
    BadRequest,

    /// <summary>Nothing could answer (503): no version loaded, or the model and its fallback failed.</summary>
    Unavailable,

    /// <summary>The server failed (500): a defect.</summary>
    Internal,
}

/// <summary>
/// Every metric the server exports, defined in this one place: one <see cref="Meter"/> named
/// <see cref="MeterName"/> per host, its <c>System.Diagnostics.Metrics</c> instruments named as the
/// Prometheus series (so OpenTelemetry and prometheus-net spell them alike), and the recording methods
/// the request path calls. Recording a request is one dictionary lookup of cached tag arrays and a few
/// interlocked adds: no allocation once a model/version/role/route has been seen. Gauges are read at
/// scrape time from the model host and from <see cref="Monitoring"/>.
/// </summary>
public sealed class MlopsMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Mlops";

    /// <summary>The request duration histogram's bucket bounds, in seconds: fine below 10 ms (the server answers in tens of microseconds), up to 1 s.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1];

    /// <summary>Every series family, in the order docs/monitoring.md lists them.</summary>
    public static readonly IReadOnlyList<MetricDefinition> Definitions =
    [
        new("mlops_requests_total", MetricKind.Counter, ["model", "version", "role", "route"], "Requests to a served model, answered or not (version and role empty when none was chosen)."),
        new("mlops_request_duration_seconds", MetricKind.Histogram, ["model", "version", "route"], "Time from receiving an answered request to its answer, in seconds."),
        new("mlops_request_errors_total", MetricKind.Counter, ["model", "route", "kind"], "Requests to a served model that got no answer, by kind: bad_request, unavailable, internal."),
        new("mlops_fallback_total", MetricKind.Counter, ["model"], "Requests answered by the model's fallback."),
        new("mlops_canary_weight_ratio", MetricKind.Gauge, ["model"], "The canary's declared share of requests, 0 to 1 (0 without a canary)."),
        new("mlops_feature_drift_score", MetricKind.Gauge, ["model", "version", "feature", "method"], "A feature's drift statistic in the current window against the bundle's reference."),
        new("mlops_feature_drifted", MetricKind.Gauge, ["model", "version", "feature"], "1 when the feature's drift statistic crosses its threshold, else 0."),
        new("mlops_dataset_drifted", MetricKind.Gauge, ["model", "version"], "1 when the share of drifted features reaches driftShare, else 0."),
        new("mlops_feature_null_ratio", MetricKind.Gauge, ["model", "version", "feature"], "A feature's share of missing values in the current window, 0 to 1."),
        new("mlops_live_metric", MetricKind.Gauge, ["model", "version", "metric"], "A quality metric from feedback on live predictions."),
        new("mlops_training_metric", MetricKind.Gauge, ["model", "version", "metric"], "A served version's holdout metric from its bundle."),
        new("mlops_prediction_log_written_total", MetricKind.Counter, [], "Predictions written to the prediction log."),
        new("mlops_prediction_log_dropped_total", MetricKind.Counter, [], "Predictions the prediction log dropped because its queue was full."),
        new("mlops_store_cache_hits_total", MetricKind.Counter, [], "Bundles loaded from the server's verified local cache."),
        new("mlops_store_cache_misses_total", MetricKind.Counter, [], "Bundles fetched from the store because the local cache lacked them."),
        new("mlops_reconcile_status", MetricKind.Gauge, ["environment", "sync", "health"], "1 for the environment's current sync and health pair, 0 for the others."),
        new("mlops_alert_firing", MetricKind.Gauge, ["model", "rule"], "1 while an alert rule fires for the model, else 0."),
    ];

    private static readonly Func<RequestKey, RequestTags> s_requestTags = k => new RequestTags(k);
    private static readonly Func<ErrorKey, ErrorTags> s_errorTags = k => new ErrorTags(k);
    private static readonly string[] s_roles = ["primary", "canary", "fallback", "explicit"];
    private static readonly string[] s_routes = ["v2", "predict"];
    private static readonly string[] s_kinds = ["bad_request", "unavailable", "internal"];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly ConcurrentDictionary<RequestKey, RequestTags> _requestTags = new();
    private readonly ConcurrentDictionary<ErrorKey, ErrorTags> _errorTags = new();
    private ModelHost? _host;

    /// <summary>Creates the meter and its instruments.</summary>
    /// <param name="meterFactory">The host's meter factory (a meter per host, so hosts in one process do not mix); null creates a meter this object owns.</param>
    public MlopsMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _ownsMeter = meterFactory is null;
        _requests = _meter.CreateCounter<long>(Definitions[0].Name, description: Definitions[0].Help);
        _duration = _meter.CreateHistogram(Definitions[1].Name, "s", Definitions[1].Help, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _errors = _meter.CreateCounter<long>(Definitions[2].Name, description: Definitions[2].Help);
        _fallbacks = _meter.CreateCounter<long>(Definitions[3].Name, description: Definitions[3].Help);
        _meter.CreateObservableGauge(Definitions[4].Name, CanaryWeights, "1", Definitions[4].Help);
        _meter.CreateObservableGauge(Definitions[5].Name, Monitoring.DriftScores, description: Definitions[5].Help);
        _meter.CreateObservableGauge(Definitions[6].Name, Monitoring.FeatureDrifted, description: Definitions[6].Help);
        _meter.CreateObservableGauge(Definitions[7].Name, Monitoring.DatasetDrifted, description: Definitions[7].Help);
        _meter.CreateObservableGauge(Definitions[8].Name, Monitoring.NullRatios, "1", Definitions[8].Help);
        _meter.CreateObservableGauge(Definitions[9].Name, Monitoring.LiveMetrics, description: Definitions[9].Help);
        _meter.CreateObservableGauge(Definitions[10].Name, TrainingMetrics, description: Definitions[10].Help);
        _meter.CreateObservableCounter(Definitions[11].Name, () => Monitoring.PredictionLogWritten, description: Definitions[11].Help);
        _meter.CreateObservableCounter(Definitions[12].Name, () => Monitoring.PredictionLogDropped, description: Definitions[12].Help);
        _cacheHits = _meter.CreateCounter<long>(Definitions[13].Name, description: Definitions[13].Help);
        _cacheMisses = _meter.CreateCounter<long>(Definitions[14].Name, description: Definitions[14].Help);
        _meter.CreateObservableGauge(Definitions[15].Name, ReconcileStatus, description: Definitions[15].Help);
        _meter.CreateObservableGauge(Definitions[16].Name, Monitoring.Alerts, description: Definitions[16].Help);
    }

    /// <summary>The meter every instrument belongs to; an exporter listens to this instance only.</summary>
    public Meter Meter => _meter;

    /// <summary>Whether an exporter listens to the request instruments; when none does, recording returns at once.</summary>
    public bool IsRecording => _requests.Enabled;

    /// <summary>The figures the monitor sets (drift, null rates, live metrics, alerts, prediction log counts).</summary>
    public MonitoringGauges Monitoring { get; } = new();

    /// <summary>The Prometheus spelling of a role.</summary>
    public static string RoleName(ServedRole role) => s_roles[(int)role];

    /// <summary>The Prometheus spelling of a route.</summary>
    public static string RouteName(RequestRoute route) => s_routes[(int)route];

    /// <summary>The Prometheus spelling of an error kind.</summary>
    public static string KindName(RequestErrorKind kind) => s_kinds[(int)kind];

    /// <summary>
    /// The label value of a bundle's metric name: <c>logLoss</c> becomes <c>log_loss</c>, so training
    /// and live metrics share names (<c>mlops_live_metric</c> and <c>mlops_training_metric</c> compare by label).
    /// </summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c))
            {
                if (text.Length > 0)
                {
                    text.Append('_');
                }

                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>Counts an answered request and records its duration (and a fallback use, when the fallback answered).</summary>
    /// <param name="model">The requested model's name (the served entry, also when its fallback answered).</param>
    /// <param name="version">The version that answered; 0 for a constant fallback.</param>
    /// <param name="role">Who answered.</param>
    /// <param name="route">Which route was asked.</param>
    /// <param name="elapsed">From receiving the request to its answer.</param>
    public void RecordRequest(string model, int version, ServedRole role, RequestRoute route, TimeSpan elapsed)
    {
        if (!_requests.Enabled)
        {
            return;
        }

        var tags = _requestTags.GetOrAdd(new RequestKey(model, version, role, route), s_requestTags);
        _requests.Add(1, tags.Request);
        _duration.Record(elapsed.TotalSeconds, tags.Duration);
        if (role == ServedRole.Fallback)
        {
            _fallbacks.Add(1, tags.Model);
        }
    }

    /// <summary>Counts a request to a served model that got no answer: an error of its kind, and a request with no version or role.</summary>
    /// <param name="model">A served model's name (never a name from a request that names no served model: labels stay bounded).</param>
    /// <param name="route">Which route was asked.</param>
    /// <param name="kind">Why it failed.</param>
    public void RecordError(string model, RequestRoute route, RequestErrorKind kind)
    {
        if (!_errors.Enabled)
        {
            return;
        }

        var tags = _errorTags.GetOrAdd(new ErrorKey(model, route, kind), s_errorTags);
        _requests.Add(1, tags.Request);
        _errors.Add(1, tags.Error);
    }

    /// <summary>Counts a bundle read from the local cache (true) or fetched from the store (false).</summary>
    public void RecordStoreFetch(bool cacheHit) => (cacheHit ? _cacheHits : _cacheMisses).Add(1);

    /// <summary>Reads the canary weights, training metrics and reconcile status from this host at each scrape.</summary>
    public void Observe(ModelHost host) => Volatile.Write(ref _host, host ?? throw new ArgumentNullException(nameof(host)));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<double>> CanaryWeights()
    {
        if (Volatile.Read(ref _host) is not { } host)
        {
            yield break;
        }

        foreach (var served in host.Snapshot.Models.Values)
        {
            yield return new Measurement<double>((served.Canary?.Weight ?? 0) / 100.0, new KeyValuePair<string, object?>("model", served.Name));
        }
    }

    private IEnumerable<Measurement<double>> TrainingMetrics()
    {
        if (Volatile.Read(ref _host) is not { } host)
        {
            yield break;
        }

        foreach (var served in host.Snapshot.Models.Values)
        {
            foreach (var version in served.Loaded().Where(l => l.Model == served.Name).DistinctBy(l => l.Version))
            {
                foreach (var (metric, value) in version.Manifest.Metrics.Overall)
                {
                    yield return new Measurement<double>(value,
                        new KeyValuePair<string, object?>("model", served.Name),
                        new KeyValuePair<string, object?>("version", version.Version.ToString(CultureInfo.InvariantCulture)),
                        new KeyValuePair<string, object?>("metric", SnakeCase(metric)));
                }
            }
        }
    }

    private IEnumerable<Measurement<int>> ReconcileStatus()
    {
        if (Volatile.Read(ref _host) is not { } host)
        {
            yield break;
        }

        // Every pair is exported, 1 for the current one: a pair that stops being current drops to 0 instead of lingering at 1.
        var status = host.Status;
        foreach (var sync in Enum.GetValues<SyncStatus>())
        {
            foreach (var health in Enum.GetValues<HealthStatus>())
            {
                yield return new Measurement<int>(sync == status.Sync && health == status.Health ? 1 : 0,
                    new KeyValuePair<string, object?>("environment", status.Environment),
                    new KeyValuePair<string, object?>("sync", sync.ToString()),
                    new KeyValuePair<string, object?>("health", health.ToString()));
            }
        }
    }

    private readonly record struct RequestKey(string Model, int Version, ServedRole Role, RequestRoute Route);

    private readonly record struct ErrorKey(string Model, RequestRoute Route, RequestErrorKind Kind);

    /// <summary>The tag arrays of one model/version/role/route, built once and passed as spans on every request.</summary>
    private sealed class RequestTags(RequestKey key)
    {
        public KeyValuePair<string, object?>[] Request { get; } =
        [
            new("model", key.Model),
            new("version", key.Version.ToString(CultureInfo.InvariantCulture)),
            new("role", RoleName(key.Role)),
            new("route", RouteName(key.Route)),
        ];

        public KeyValuePair<string, object?>[] Duration { get; } =
        [
            new("model", key.Model),
            new("version", key.Version.ToString(CultureInfo.InvariantCulture)),
            new("route", RouteName(key.Route)),
        ];

        public KeyValuePair<string, object?>[] Model { get; } = [new("model", key.Model)];
    }

    private sealed class ErrorTags(ErrorKey key)
    {
        public KeyValuePair<string, object?>[] Request { get; } =
            [new("model", key.Model), new("version", ""), new("role", ""), new("route", RouteName(key.Route))];

        public KeyValuePair<string, object?>[] Error { get; } =
            [new("model", key.Model), new("route", RouteName(key.Route)), new("kind", KindName(key.Kind))];
    }
}
