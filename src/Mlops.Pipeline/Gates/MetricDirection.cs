namespace Mlops.Pipeline.Gates;

/// <summary>Whether a larger value of a metric is better; it decides the sign of "change" in baseline rules.</summary>
public static class MetricDirection
{
    private static readonly HashSet<string> s_lowerIsBetter = new(StringComparer.Ordinal)
    {
        "logLoss", "brier", "ece", "rmse", "mae", "mse", "p50LatencyMs", "p99LatencyMs", "errorRate", "modelSizeBytes",
    };

    /// <summary>True unless the metric is a loss, an error (Brier and ECE are calibration errors), a latency or a size.</summary>
    public static bool GreaterIsBetter(string metric) => !s_lowerIsBetter.Contains(metric);
}
