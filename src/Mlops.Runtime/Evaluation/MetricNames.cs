namespace Mlops.Runtime.Evaluation;

/// <summary>Binary outcomes, the positive class being the model file's <c>label.positive</c>.</summary>
/// <param name="TruePositives">Positive rows predicted positive.</param>
/// <param name="FalsePositives">Negative rows predicted positive.</param>
/// <param name="TrueNegatives">Negative rows predicted negative.</param>
/// <param name="FalseNegatives">Positive rows predicted negative.</param>
public sealed record ConfusionMatrix(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives);

/// <summary>One class of a multiclass model.</summary>
/// <param name="Class">The label value.</param>
/// <param name="Support">Holdout rows of this class.</param>
/// <param name="Precision">Of the rows predicted as this class, the share that are.</param>
/// <param name="Recall">Of the rows of this class, the share predicted as it.</param>
/// <param name="F1">The harmonic mean of precision and recall.</param>
public sealed record ClassMetrics(string Class, int Support, double Precision, double Recall, double F1);

/// <summary>The metric names evaluation reports and gate rules use.</summary>
public static class MetricNames
{
    /// <summary>Binary: area under the ROC curve.</summary>
    public const string Auc = "auc";

    /// <summary>Binary: area under the precision-recall curve (average precision).</summary>
    public const string PrAuc = "prAuc";

    /// <summary>Binary: share of rows predicted correctly.</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Binary: precision of the positive class.</summary>
    public const string Precision = "precision";

    /// <summary>Binary: recall of the positive class.</summary>
    public const string Recall = "recall";

    /// <summary>Binary: F1 of the positive class.</summary>
    public const string F1 = "f1";

    /// <summary>Classification: mean negative natural log of the probability given to the true class.</summary>
    public const string LogLoss = "logLoss";

    /// <summary>Binary: Brier score, the mean squared error of the positive class's probability (lower is better).</summary>
    public const string Brier = "brier";

    /// <summary>Binary: expected calibration error over 10 equal-width probability bins, weighted by bin size (lower is better).</summary>
    public const string Ece = "ece";

    /// <summary>Multiclass: share of rows predicted correctly.</summary>
    public const string MicroAccuracy = "microAccuracy";

    /// <summary>Multiclass: mean over classes of each class's recall.</summary>
    public const string MacroAccuracy = "macroAccuracy";

    /// <summary>Regression: root mean squared error.</summary>
    public const string Rmse = "rmse";

    /// <summary>Regression: mean absolute error.</summary>
    public const string Mae = "mae";

    /// <summary>Regression: coefficient of determination.</summary>
    public const string R2 = "r2";

    /// <summary>Median single-row latency in milliseconds.</summary>
    public const string P50LatencyMs = "p50LatencyMs";

    /// <summary>99th percentile single-row latency in milliseconds.</summary>
    public const string P99LatencyMs = "p99LatencyMs";

    /// <summary>Size of the model zip in bytes.</summary>
    public const string ModelSizeBytes = "modelSizeBytes";
}
