using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Monitoring.Windows;

namespace Mlops.Runtime.Monitoring;

/// <summary>One served version's kept windows with drift judged in each, oldest first; the open window is last.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Role"><c>primary</c>, <c>canary</c> or <c>shadow</c>.</param>
/// <param name="HasReference">Whether the version's bundle holds a reference sample (without one no drift is judged).</param>
/// <param name="Windows">The closed windows that are kept, then the open one.</param>
public sealed record VersionHistory(string Model, int Version, string Role, bool HasReference, IReadOnlyList<WindowDrift> Windows)
{
    /// <summary>The open window (always the last).</summary>
    public WindowDrift Open => Windows[^1];
}

/// <summary>One window's figures and each feature's drift in it against the version's reference.</summary>
/// <param name="Figures">The window's rows, requests, latencies, failures, feature and prediction columns.</param>
/// <param name="IsOpen">Whether the window is still filling.</param>
/// <param name="Drift">Each feature's drift, in the reference's order; empty with no reference or no rows.</param>
/// <param name="DriftedShare">The share of drifted features; null when drift was not judged.</param>
/// <param name="Drifted">Whether the data set drifted (the share reached <c>driftShare</c>).</param>
public sealed record WindowDrift(WindowFigures Figures, bool IsOpen, IReadOnlyList<FeatureDriftStatus> Drift, double? DriftedShare, bool Drifted)
{
    /// <summary>The window's start (inclusive).</summary>
    public DateTimeOffset Start => Figures.Start;

    /// <summary>The window's end (exclusive).</summary>
    public DateTimeOffset End => Figures.End;

    /// <summary>Rows recorded in it (all rows, or a sample of them above the monitor's row budget).</summary>
    public long Rows => Figures.Rows;

    /// <summary>Requests answered in it.</summary>
    public long Requests => Figures.Requests;

    /// <summary>The share of requests the version failed to score; null with no requests.</summary>
    public double? ErrorRate => Figures.FailureRate;

    /// <summary>The median latency in milliseconds; null with no requests.</summary>
    public double? P50LatencyMs => Figures.Latency.QuantileMs(0.5);

    /// <summary>The 99th percentile latency in milliseconds; null with no requests.</summary>
    public double? P99LatencyMs => Figures.P99LatencyMs;
}

/// <summary>A served version's open window compared with its reference, as <see cref="LiveMonitor.CompareOpen"/> gives it.</summary>
/// <param name="Window">The window's figures.</param>
/// <param name="Report">The detector's report, every feature compared.</param>
/// <param name="Reference">The reference's columns compared.</param>
/// <param name="Current">The window's columns compared, in the same order.</param>
public sealed record WindowComparison(WindowFigures Window, DriftReport Report, IReadOnlyList<ColumnValues> Reference, IReadOnlyList<ColumnValues> Current);
