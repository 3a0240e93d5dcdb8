using System.Collections.Generic;
using System.Linq;

namespace Mlops.Declarations.Models;

/// <summary>
/// The metrics evaluation measures, by task: what a gate rule may name. Declared here, next to the
/// model format, so <c>mlops validate</c> and the compiler refuse a gate on a metric that is never
/// measured (auc on a regression model) before anything is trained; the pipeline's tests hold its
/// evaluator to this table.
/// </summary>
public static class GateMetrics
{
    /// <summary>Measured for the whole model only, never per slice: latency and size.</summary>
    public static IReadOnlyList<string> ModelWide { get; } = ["p50LatencyMs", "p99LatencyMs", "modelSizeBytes"];

    /// <summary>The task's quality metrics, measured overall and per slice value.</summary>
    public static IReadOnlyList<string> ForTask(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => ["auc", "prAuc", "accuracy", "precision", "recall", "f1", "logLoss", "brier", "ece"],
        ModelTask.MulticlassClassification => ["microAccuracy", "macroAccuracy", "logLoss"],
        _ => ["rmse", "mae", "r2"],
    };

    /// <summary>Every metric a gate rule on this task may name: per slice only the task's metrics, overall also <see cref="ModelWide"/>.</summary>
    public static IReadOnlyList<string> Allowed(ModelTask task, bool perSlice) =>
        perSlice ? ForTask(task) : ForTask(task).Concat(ModelWide).ToList();
}
