namespace Mlops.Runtime.Monitoring;

/// <summary>
/// What a server's monitor sees now, as <c>GET /monitoring</c> answers it (System.Text.Json, camelCase)
/// and <c>mlops monitor check</c> reads it: per served version the open window's figures and drift,
/// and every alert's state.
/// </summary>
/// <param name="Environment">The environment served.</param>
/// <param name="At">When the figures were taken.</param>
/// <param name="WindowSeconds">The monitoring window's length.</param>
/// <param name="Models">Each served model's versions.</param>
/// <param name="Alerts">Every alert that is pending or firing, and those resolved within the last window.</param>
public sealed record MonitorReport(string Environment, DateTimeOffset At, double WindowSeconds, IReadOnlyList<ModelMonitor> Models, IReadOnlyList<AlertStatus> Alerts);

/// <summary>One model's served versions.</summary>
/// <param name="Model">The model.</param>
/// <param name="Versions">Primary first, then canary and shadow when served.</param>
public sealed record ModelMonitor(string Model, IReadOnlyList<VersionMonitor> Versions);

/// <summary>One served version in the open window.</summary>
/// <param name="Version">The version.</param>
/// <param name="Digest">Its bundle digest.</param>
/// <param name="Role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
/// <param name="WindowStart">The open window's start.</param>
/// <param name="WindowEnd">The open window's end.</param>
/// <param name="Figures">
/// Figures by the names rules use: <c>rows</c>, <c>requests</c>, <c>errorRate</c>, <c>p50LatencyMs</c>, <c>p99LatencyMs</c>,
/// <c>feedback</c> (labelled predictions), the live quality metrics (<c>auc</c>, <c>accuracy</c>, ...),
/// <c>driftedShare</c>; a figure not measured yet is absent.
/// </param>
/// <param name="Training">The version's training (holdout) metrics, to compare with the live ones.</param>
/// <param name="Drift">Each feature's drift in the open window against the bundle's reference; empty before any row.</param>
/// <param name="Drifted">Whether the data set has drifted (the share of drifted features reached driftShare).</param>
public sealed record VersionMonitor(
    int Version,
    string Digest,
    string Role,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyDictionary<string, double> Figures,
    IReadOnlyDictionary<string, double> Training,
    IReadOnlyList<FeatureDriftStatus> Drift,
    bool Drifted);

/// <summary>One feature's drift in a window.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Method">The statistic used.</param>
/// <param name="Statistic">Its value.</param>
/// <param name="PValue">The p-value, for tests that have one.</param>
/// <param name="Threshold">The threshold the statistic (or p-value) is compared with.</param>
/// <param name="Drifted">Whether the feature drifted.</param>
/// <param name="Inconclusive">Too few rows to tell.</param>
/// <param name="ReferenceNullRate">The reference's share of missing values.</param>
/// <param name="CurrentNullRate">The window's share of missing values.</param>
public sealed record FeatureDriftStatus(string Feature, string Method, double? Statistic, double? PValue, double Threshold, bool Drifted, bool Inconclusive, double ReferenceNullRate, double CurrentNullRate);

/// <summary>An alert's state, as Prometheus names them.</summary>
/// <param name="Rule">The rule as the environment file writes it (its <c>when</c>).</param>
/// <param name="Kind">The condition's kind: <c>drift</c>, <c>nullRate</c>, <c>liveMetric</c>, <c>p99LatencyMs</c>, <c>errorRate</c>, <c>fallbackRate</c>.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="State"><c>pending</c>, <c>firing</c> or <c>resolved</c>.</param>
/// <param name="Since">When it entered the state.</param>
/// <param name="Value">The value that breached (or last held), when there is one.</param>
/// <param name="Message">The message sent with it.</param>
public sealed record AlertStatus(string Rule, string Kind, string Model, int Version, string State, DateTimeOffset Since, double? Value, string Message);
