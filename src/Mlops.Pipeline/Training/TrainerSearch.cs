using System.Globalization;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Gates;
using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Training;

/// <summary>One combination <c>trainer: auto</c> tries: a catalog trainer and the parameters set on top of its defaults.</summary>
/// <param name="Number">The trial's number, from 1, in the order trials run (and the tie-break of the choice).</param>
/// <param name="Trainer">The catalog trainer.</param>
/// <param name="Params">The parameters, as a model file would write them; empty for the trainer's defaults.</param>
internal sealed record Trial(int Number, TrainerDefinition Trainer, IReadOnlyDictionary<string, ScalarValue> Params)
{
    /// <summary>The model declaration with this trial as its trainer (same seed, same source map): what the options are bound from and the chosen trial is trained as.</summary>
    public Declared<ModelSpec> Apply(Declared<ModelSpec> model) =>
        model with { Value = model.Value with { Trainer = new TrainerSpec(Trainer.Info.Name, model.Value.Trainer.Seed, Params) } };
}

/// <summary>A trial and its outcome: the cross-validation, or the error that stopped it.</summary>
internal sealed record TrialScore(Trial Trial, CrossValidationResult? Result, TrainingException? Error);

/// <summary>Where the search reports its trials (the train stage records each as a child run).</summary>
internal interface ITrialLog
{
    /// <summary>A trial starts; returns a handle (the child run's id) passed back below.</summary>
    Task<string> StartedAsync(Trial trial, CancellationToken cancellationToken);

    /// <summary>A trial was cross-validated.</summary>
    Task ScoredAsync(string handle, Trial trial, CrossValidationResult result, CancellationToken cancellationToken);

    /// <summary>A trial could not be fitted (for example Poisson regression on negative labels); the search goes on.</summary>
    Task FailedAsync(string handle, Trial trial, TrainingException error, CancellationToken cancellationToken);
}

/// <summary>The outcome of a search.</summary>
/// <param name="Chosen">The trial with the best cross-validated <paramref name="Metric"/>.</param>
/// <param name="Scores">Every trial, in order.</param>
/// <param name="Metric">The metric that chose.</param>
/// <param name="Folds">The folds of each cross-validation.</param>
internal sealed record SearchResult(TrialScore Chosen, IReadOnlyList<TrialScore> Scores, string Metric, int Folds);

/// <summary>
/// <c>trainer: { name: auto, trials: N }</c>: cross-validates N trainer and parameter combinations on the training rows
/// only (never the holdout) and chooses the one with the best mean of the task's metric (<see cref="MetricOf"/>), ties
/// to the earlier trial. Trials run in a fixed order: first every candidate trainer at its defaults (catalog order, or
/// the order of <c>trainers</c>), so auto is never worse than the best default on the folds; then samples of each
/// trainer's <see cref="SearchSpace"/>, round-robin over the candidates, drawn from one <c>Random(trainer.seed)</c>.
/// Each fit is single-threaded and seeded, so trials run side by side (one per core) and the same inputs choose the same
/// trial on any machine: the budget is trials, not seconds. See docs/training.md.
/// </summary>
internal static class TrainerSearch
{
    /// <summary>The folds of each trial when the model declares none (<c>data.split.folds</c>).</summary>
    public const int DefaultFolds = 5;

    /// <summary>The metric the search compares, per task: <c>auc</c>, <c>macroAccuracy</c> (each class counts, whatever its size), <c>rmse</c> (lower is better).</summary>
    public static string MetricOf(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => MetricNames.Auc,
        ModelTask.MulticlassClassification => MetricNames.MacroAccuracy,
        _ => MetricNames.Rmse,
    };

    /// <summary>The folds of each trial: <c>data.split.folds</c>, or <see cref="DefaultFolds"/>.</summary>
    public static int FoldsOf(ModelSpec spec) => spec.Data.Split.Folds ?? DefaultFolds;

    /// <summary>
    /// The trainers searched: <c>trainer.trainers</c> resolved against the catalog (each unknown or wrong-task name is an
    /// error at its item, with the nearest name), or every trainer of the task. Duplicates are tried once.
    /// </summary>
    public static IReadOnlyList<TrainerDefinition> Candidates(Declared<ModelSpec> model, List<Diagnostic> errors)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Value;
        if (spec.Trainer.Trainers.Count == 0)
        {
            return [.. TrainerCatalog.NamesFor(spec.Task).Select(name => TrainerCatalog.FindDefinition(name, spec.Task)!)];
        }

        var found = new List<TrainerDefinition>();
        for (var i = 0; i < spec.Trainer.Trainers.Count; i++)
        {
            var at = model.Map[$"trainer.trainers[{i}]"];
            if (ModelTrainer.Resolve(spec.Trainer.Trainers[i], spec.Task, at, errors) is { } definition && !found.Contains(definition))
            {
                found.Add(definition);
            }
        }

        return found;
    }

    /// <summary>The trials, in the order they run (see the type's summary).</summary>
    public static IReadOnlyList<Trial> Plan(ModelSpec spec, IReadOnlyList<TrainerDefinition> candidates)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(candidates);
        var trials = new List<Trial>(spec.Trainer.Trials);
        foreach (var trainer in candidates.Take(spec.Trainer.Trials))
        {
            trials.Add(new Trial(trials.Count + 1, trainer, SearchSpace.PinnedFor(trainer.Info)));
        }

        // Trainers without a space (none today) would be tried at their defaults once; the rest take turns.
        var searched = candidates.Where(c => SearchSpace.For(c.Info).Count > 0).ToList();
        var random = new Random(spec.Trainer.Seed);
        for (var turn = 0; trials.Count < spec.Trainer.Trials && searched.Count > 0; turn++)
        {
            var trainer = searched[turn % searched.Count];
            var parameters = new SortedDictionary<string, ScalarValue>(SearchSpace.PinnedFor(trainer.Info).ToDictionary(), StringComparer.Ordinal);
            foreach (var range in SearchSpace.For(trainer.Info))
            {
                parameters[range.Name] = range.Sample(random);
            }

            trials.Add(new Trial(trials.Count + 1, trainer, parameters));
        }

        return trials;
    }

    /// <summary>
    /// Orders scored trials best first: by <paramref name="metric"/> in its direction (<see cref="MetricDirection"/>),
    /// ties (and equal values) to the lower trial number; trials without a value (failed, or the metric undefined) last.
    /// The one rule both the choice and the leaderboard follow.
    /// </summary>
    public static IEnumerable<T> Rank<T>(IEnumerable<T> trials, Func<T, int> number, Func<T, double?> value, string metric)
    {
        var sign = MetricDirection.GreaterIsBetter(metric) ? -1 : 1;
        return trials
            .OrderBy(t => value(t) is { } v && !double.IsNaN(v) ? 0 : 1)
            .ThenBy(t => value(t) is { } v && !double.IsNaN(v) ? sign * v : 0)
            .ThenBy(number);
    }

    /// <summary>Runs every trial of the model of <paramref name="data"/> on its training rows and chooses (see the type's summary).</summary>
    /// <exception cref="TrainingException">A <c>trainers</c> name is not a trainer of the task, or every trial failed.</exception>
    public static async Task<SearchResult> RunAsync(TrainingData data, ITrialLog log, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(log);
        var model = data.Model;
        var spec = model.Value;
        var errors = new List<Diagnostic>();
        var candidates = Candidates(model, errors);
        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }

        var metric = MetricOf(spec.Task);
        var folds = FoldsOf(spec);
        var plan = Plan(spec, candidates);
        // Every fit is single-threaded (SearchSpace.PinnedFor) and seeded, so trials can run side by side, one per core,
        // and give the same numbers as one after the other: how many run at once changes the time, never the choice.
        var scores = new TrialScore[plan.Count];
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (trial, ct) =>
            {
                progress?.Report(new TrainingProgress(TrainingStage.Fitting,
                    $"Trial {trial.Number}/{plan.Count}: {trial.Trainer.Info.Name} {Describe(trial.Params)}, {folds} folds"));
                scores[trial.Number - 1] = await RunTrialAsync(data, trial, folds, log, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

        var chosen = Rank(scores, s => s.Trial.Number, s => ValueOf(s, metric), metric).First();
        if (ValueOf(chosen, metric) is not { } best || double.IsNaN(best))
        {
            var first = scores.Select(s => s.Error).OfType<TrainingException>().FirstOrDefault();
            throw first ?? new TrainingException(TrainingDiagnostics.TrainingFailed.At(model.Map["trainer.name"],
                $"trainer 'auto' found no trial with a cross-validated '{metric}' among {plan.Count}. Check the data's labels, or name a trainer."));
        }

        return new SearchResult(chosen, scores, metric, folds);
    }

    private static async Task<TrialScore> RunTrialAsync(TrainingData data, Trial trial, int folds, ITrialLog log, CancellationToken cancellationToken)
    {
        var handle = await log.StartedAsync(trial, cancellationToken).ConfigureAwait(false);
        try
        {
            var bindErrors = new List<Diagnostic>();
            var options = TrainerParameters.Bind(trial.Trainer, trial.Apply(data.Model), bindErrors);
            if (bindErrors.Count > 0)
            {
                throw new TrainingException(bindErrors);
            }

            var result = await Task.Run(() => new CrossValidator().Run(data, trial.Trainer, options, folds, data.Model.Value.Data.Split.Seed, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            await log.ScoredAsync(handle, trial, result, cancellationToken).ConfigureAwait(false);
            return new TrialScore(trial, result, null);
        }
        catch (TrainingException e)
        {
            await log.FailedAsync(handle, trial, e, cancellationToken).ConfigureAwait(false);
            return new TrialScore(trial, null, e);
        }
    }

    /// <summary>The trial's mean cross-validated <paramref name="metric"/>, or null.</summary>
    public static double? ValueOf(TrialScore score, string metric) =>
        score.Result is { } result && result.Mean.TryGetValue(metric, out var value) ? value : null;

    /// <summary>The parameters as one line, <c>numberOfLeaves=31 learningRate=0.05</c>; <c>(defaults)</c> when none.</summary>
    public static string Describe(IReadOnlyDictionary<string, ScalarValue> parameters) =>
        parameters.Count == 0 ? "(defaults)" : string.Join(' ', parameters.Select(p => p.Key + "=" + p.Value.Text));

    /// <summary>The parameters as run-store text, by name.</summary>
    public static IReadOnlyDictionary<string, string> Texts(IReadOnlyDictionary<string, ScalarValue> parameters) =>
        parameters.ToDictionary(p => p.Key, p => p.Value.Text, StringComparer.Ordinal);

    /// <summary>Invariant text of a number for params.</summary>
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
