using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// A run's cross-validation as the run store holds it (docs/tracking.md): per metric, the mean (split <c>cv</c>, with
/// its interval), the standard deviation (<c>cv-sd</c>) and each fold's value (<c>cv-fold-1</c> to <c>cv-fold-K</c>).
/// </summary>
/// <param name="Folds">K.</param>
/// <param name="Metrics">Each overall metric the folds measured, in the order the run recorded them.</param>
public sealed record RunCrossValidation(int Folds, IReadOnlyList<RunCrossValidationMetric> Metrics)
{
    /// <summary>The cross-validation <paramref name="run"/> recorded, or null when it has none.</summary>
    public static RunCrossValidation? Of(Run run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var folds = 0;
        while (run.Metrics.Any(m => m.Split == RunMetric.CrossValidationFold(folds + 1)))
        {
            folds++;
        }

        var means = run.Metrics.Where(m => m.Split == RunMetric.CrossValidation && m.Slice.Length == 0).ToList();
        if (folds == 0 || means.Count == 0)
        {
            return null;
        }

        return new RunCrossValidation(folds, [.. means.Select(m => new RunCrossValidationMetric(
            m.Name,
            m.Value,
            run.FindMetric(m.Name, RunMetric.CrossValidationSd)?.Value,
            m.Interval,
            [.. Enumerable.Range(1, folds).Select(k => run.FindMetric(m.Name, RunMetric.CrossValidationFold(k))?.Value)]))]);
    }
}

/// <summary>One metric of a cross-validation.</summary>
/// <param name="Name">The metric.</param>
/// <param name="Mean">The mean across folds.</param>
/// <param name="StandardDeviation">The sample standard deviation across folds, or null (fewer than two fold values).</param>
/// <param name="Interval">The 95% interval of the mean, or null.</param>
/// <param name="Folds">Each fold's value, fold 1 first; null where the fold lacks it.</param>
public sealed record RunCrossValidationMetric(string Name, double Mean, double? StandardDeviation, MetricInterval? Interval, IReadOnlyList<double?> Folds);
