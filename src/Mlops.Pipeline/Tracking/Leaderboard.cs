using System.Globalization;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.Training;

namespace Mlops.Pipeline.Tracking;

/// <summary>One trial of <c>trainer: auto</c> on the leaderboard.</summary>
/// <param name="Rank">1 for the best; failed trials rank last.</param>
/// <param name="Trial">The trial's number, in the order the trials ran.</param>
/// <param name="RunId">Its child run.</param>
/// <param name="Status">The child run's status.</param>
/// <param name="Trainer">The trainer tried.</param>
/// <param name="Params">The parameters set on top of the trainer's defaults (empty: its defaults).</param>
/// <param name="Mean">The metric's mean across folds, or null when the trial failed.</param>
/// <param name="StandardDeviation">Its standard deviation across folds.</param>
/// <param name="Interval">The 95% interval of the mean.</param>
/// <param name="Chosen">Whether this trial was chosen and trained into the run's model.</param>
/// <param name="Error">Why the trial failed, when it did.</param>
public sealed record LeaderboardEntry(
    int Rank, int Trial, string RunId, RunStatus Status, string Trainer, IReadOnlyDictionary<string, string> Params,
    double? Mean, double? StandardDeviation, MetricInterval? Interval, bool Chosen, string? Error);

/// <summary>
/// The trials of a <c>trainer: auto</c> run, best first by the metric that chose (in its direction, ties to the earlier
/// trial: the search's own rule), read back from the run store: the run's <c>auto.*</c> params and its child runs.
/// </summary>
/// <param name="Metric">The metric compared.</param>
/// <param name="GreaterIsBetter">Its direction.</param>
/// <param name="Folds">The folds of each cross-validation.</param>
/// <param name="Entries">The trials, best first.</param>
public sealed record Leaderboard(string Metric, bool GreaterIsBetter, int Folds, IReadOnlyList<LeaderboardEntry> Entries)
{
    /// <summary>The param a trial's child run records its number under.</summary>
    public const string TrialParam = "trial";

    /// <summary>The training run's param naming the metric the search compared.</summary>
    public const string MetricParam = "auto.metric";

    /// <summary>The training run's param holding the folds of each trial.</summary>
    public const string FoldsParam = "auto.folds";

    /// <summary>The training run's param holding how many trials ran.</summary>
    public const string TrialsParam = "auto.trials";

    /// <summary>The training run's param holding the chosen trial's number.</summary>
    public const string ChosenTrialParam = "auto.chosenTrial";

    /// <summary>The leaderboard of <paramref name="run"/> from its <paramref name="children"/>, or null when the run did not search (no <c>auto.metric</c>).</summary>
    /// <param name="run">The training run.</param>
    /// <param name="children">Its child runs (<see cref="RunStore.ChildrenAsync"/>).</param>
    public static Leaderboard? Of(Run run, IReadOnlyList<Run> children)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(children);
        if (run.Params.GetValueOrDefault(MetricParam) is not { } metric)
        {
            return null;
        }

        var chosen = Number(run.Params.GetValueOrDefault(ChosenTrialParam));
        var trials = children.Select(child =>
        {
            var mean = child.FindMetric(metric, RunMetric.CrossValidation);
            var trainer = child.Params.GetValueOrDefault("trainer") ?? "?";
            var parameters = child.Params.Where(p => p.Key.StartsWith("trainer.", StringComparison.Ordinal))
                .ToDictionary(p => p.Key["trainer.".Length..], p => p.Value, StringComparer.Ordinal);
            return (Child: child, Trial: Number(child.Params.GetValueOrDefault(TrialParam)) ?? 0, Trainer: trainer, Params: parameters,
                Mean: mean is { Value: var v } && !double.IsNaN(v) ? v : (double?)null, mean?.Interval,
                Sd: child.FindMetric(metric, RunMetric.CrossValidationSd)?.Value);
        });
        var ranked = TrainerSearch.Rank(trials, t => t.Trial, t => t.Mean, metric)
            .Select((t, i) => new LeaderboardEntry(i + 1, t.Trial, t.Child.Id, t.Child.Status, t.Trainer, t.Params, t.Mean, t.Sd, t.Interval,
                t.Trial == chosen, t.Child.Error?.Message))
            .ToList();
        return new Leaderboard(metric, MetricDirection.GreaterIsBetter(metric), Number(run.Params.GetValueOrDefault(FoldsParam)) ?? 0, ranked);
    }

    private static int? Number(string? text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
