using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Mlops.Runtime.Monitoring;

/// <summary>
/// The latest monitoring figures the server exports: drift and null rate per feature, the data set's
/// drift verdict, live metrics, firing alerts and the prediction log's counts. The monitor sets them
/// whenever it recomputes a window; <see cref="MlopsMetrics"/>' observable instruments read them at
/// each scrape, so a value set here is what the next <c>/metrics</c> shows and a removed one is gone
/// from it. Thread-safe: setters and readers may run on any thread at once.
/// </summary>
public sealed class MonitoringGauges
{
    private readonly ConcurrentDictionary<(string Model, int Version, string Feature, string Method), double> _driftScores = new();
    private readonly ConcurrentDictionary<(string Model, int Version, string Feature), bool> _featureDrifted = new();
    private readonly ConcurrentDictionary<(string Model, int Version), bool> _datasetDrifted = new();
    private readonly ConcurrentDictionary<(string Model, int Version, string Feature), double> _nullRatios = new();
    private readonly ConcurrentDictionary<(string Model, int Version, string Metric), double> _liveMetrics = new();
    private readonly ConcurrentDictionary<(string Model, string Rule), bool> _alerts = new();
    private long _predictionLogWritten;
    private long _predictionLogDropped;

    /// <summary>Sets a feature's drift statistic (<c>mlops_feature_drift_score</c>) and verdict (<c>mlops_feature_drifted</c>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The served version the window belongs to.</param>
    /// <param name="feature">The feature's name (declared names only: a label per feature).</param>
    /// <param name="method">The method that produced <paramref name="score"/>: ks, wasserstein, psi, chisquare, jensenshannon.</param>
    /// <param name="score">The statistic.</param>
    /// <param name="drifted">Whether it crossed the feature's threshold.</param>
    public void SetFeatureDrift(string model, int version, string feature, string method, double score, bool drifted)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(method);
        // One method per feature at a time: a changed method replaces the old series instead of leaving it behind.
        foreach (var key in _driftScores.Keys)
        {
            if (key.Model == model && key.Version == version && key.Feature == feature && key.Method != method)
            {
                _driftScores.TryRemove(key, out _);
            }
        }

        _driftScores[(model, version, feature, method)] = score;
        _featureDrifted[(model, version, feature)] = drifted;
    }

    /// <summary>Sets whether the data set of a version has drifted (<c>mlops_dataset_drifted</c>).</summary>
    public void SetDatasetDrifted(string model, int version, bool drifted)
    {
        ArgumentNullException.ThrowIfNull(model);
        _datasetDrifted[(model, version)] = drifted;
    }

    /// <summary>Sets a feature's share of missing values in the current window, 0 to 1 (<c>mlops_feature_null_ratio</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> is not between 0 and 1.</exception>
    public void SetNullRatio(string model, int version, string feature, double ratio)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(feature);
        if (!(ratio is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, $"a null ratio is a share from 0 to 1; {feature} got {ratio.ToString(CultureInfo.InvariantCulture)}.");
        }

        _nullRatios[(model, version, feature)] = ratio;
    }

    /// <summary>Sets a live metric from feedback (<c>mlops_live_metric</c>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version that made the predictions.</param>
    /// <param name="metric">accuracy, auc, f1, log_loss, rmse or mae (the names <c>mlops_training_metric</c> uses too).</param>
    /// <param name="value">The value.</param>
    public void SetLiveMetric(string model, int version, string metric, double value)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metric);
        _liveMetrics[(model, version, metric)] = value;
    }

    /// <summary>Sets whether an alert rule is firing for a model (<c>mlops_alert_firing</c>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="rule">The rule as the environment file writes its condition, e.g. <c>nullRate &gt; 0.2</c>.</param>
    /// <param name="firing">Firing (1) or not (0).</param>
    public void SetAlertFiring(string model, string rule, bool firing)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rule);
        _alerts[(model, rule)] = firing;
    }

    /// <summary>Removes every figure of a version (drift, null rates, live metrics), when it stops being served.</summary>
    public void RemoveVersion(string model, int version)
    {
        RemoveWhere(_driftScores, k => k.Model == model && k.Version == version);
        RemoveWhere(_featureDrifted, k => k.Model == model && k.Version == version);
        RemoveWhere(_datasetDrifted, k => k.Model == model && k.Version == version);
        RemoveWhere(_nullRatios, k => k.Model == model && k.Version == version);
        RemoveWhere(_liveMetrics, k => k.Model == model && k.Version == version);
    }

    /// <summary>Removes one feature's figures of a version (a feature no longer monitored).</summary>
    public void RemoveFeature(string model, int version, string feature)
    {
        RemoveWhere(_driftScores, k => k.Model == model && k.Version == version && k.Feature == feature);
        _featureDrifted.TryRemove((model, version, feature), out _);
        _nullRatios.TryRemove((model, version, feature), out _);
    }

    /// <summary>Removes a live metric.</summary>
    public void RemoveLiveMetric(string model, int version, string metric) => _liveMetrics.TryRemove((model, version, metric), out _);

    /// <summary>Removes an alert rule (no longer declared).</summary>
    public void RemoveAlert(string model, string rule) => _alerts.TryRemove((model, rule), out _);

    /// <summary>Counts predictions written to the prediction log (<c>mlops_prediction_log_written_total</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative: a counter only grows.</exception>
    public void AddPredictionLogWritten(long count) => Interlocked.Add(ref _predictionLogWritten, NonNegative(count));

    /// <summary>Counts predictions the prediction log dropped because its queue was full (<c>mlops_prediction_log_dropped_total</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative: a counter only grows.</exception>
    public void AddPredictionLogDropped(long count) => Interlocked.Add(ref _predictionLogDropped, NonNegative(count));

    /// <summary>Predictions written to the log so far.</summary>
    public long PredictionLogWritten => Interlocked.Read(ref _predictionLogWritten);

    /// <summary>Predictions dropped so far.</summary>
    public long PredictionLogDropped => Interlocked.Read(ref _predictionLogDropped);

    internal IEnumerable<Measurement<double>> DriftScores() =>
        _driftScores.Select(p => new Measurement<double>(p.Value, Tag("model", p.Key.Model), Tag("version", Version(p.Key.Version)), Tag("feature", p.Key.Feature), Tag("method", p.Key.Method)));

    internal IEnumerable<Measurement<int>> FeatureDrifted() =>
        _featureDrifted.Select(p => new Measurement<int>(p.Value ? 1 : 0, Tag("model", p.Key.Model), Tag("version", Version(p.Key.Version)), Tag("feature", p.Key.Feature)));

    internal IEnumerable<Measurement<int>> DatasetDrifted() =>
        _datasetDrifted.Select(p => new Measurement<int>(p.Value ? 1 : 0, Tag("model", p.Key.Model), Tag("version", Version(p.Key.Version))));

    internal IEnumerable<Measurement<double>> NullRatios() =>
        _nullRatios.Select(p => new Measurement<double>(p.Value, Tag("model", p.Key.Model), Tag("version", Version(p.Key.Version)), Tag("feature", p.Key.Feature)));

    internal IEnumerable<Measurement<double>> LiveMetrics() =>
        _liveMetrics.Select(p => new Measurement<double>(p.Value, Tag("model", p.Key.Model), Tag("version", Version(p.Key.Version)), Tag("metric", p.Key.Metric)));

    internal IEnumerable<Measurement<int>> Alerts() =>
        _alerts.Select(p => new Measurement<int>(p.Value ? 1 : 0, Tag("model", p.Key.Model), Tag("rule", p.Key.Rule)));

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static string Version(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static long NonNegative(long count) =>
        count >= 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "a counter only grows: pass the number of predictions added, 0 or more.");

    private static void RemoveWhere<TKey, TValue>(ConcurrentDictionary<TKey, TValue> values, Func<TKey, bool> match)
        where TKey : notnull
    {
        foreach (var key in values.Keys)
        {
            if (match(key))
            {
                values.TryRemove(key, out _);
            }
        }
    }
}
