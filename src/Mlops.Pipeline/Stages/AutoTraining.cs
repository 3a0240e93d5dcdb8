using System.Globalization;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;

namespace Mlops.Pipeline.Stages;

/// <summary>
/// The train stage's part of <c>trainer: auto</c>: runs <see cref="TrainerSearch"/>, recording each trial as a child run
/// of the training run, and turns the request into one for the chosen trainer and parameters, so the packaged model is
/// trained by the normal path (<see cref="ModelTrainer"/>) and its bundle is an ordinary bundle.
/// </summary>
internal static class AutoTraining
{
    /// <summary>Searches, recording the trials under <paramref name="runId"/>; returns the request that trains the chosen trial, and what to record on the run.</summary>
    public static async Task<(TrainingRequest Request, RunCompletion Record)> SearchAsync(
        Workspace workspace, string runId, Declared<ModelSpec> model, Declared<FeatureSet> features, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var read = workspace.DataOf(model);
        var data = read is { Rows: not null }
            ? TrainingData.From(read)
            : await TrainingData.LoadAsync(workspace.Root, model, features, cancellationToken, workspace.Data).ConfigureAwait(false);
        ModelTrainer.CheckSplit(data);

        var log = new RunStoreTrialLog(workspace, runId, model.Value, data.DataDigest);
        var search = await TrainerSearch.RunAsync(data, log, progress, cancellationToken).ConfigureAwait(false);
        var chosen = search.Chosen;
        var request = new TrainingRequest(workspace.Root, chosen.Trial.Apply(model), features) { Data = read };
        var record = new RunCompletion
        {
            Params = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [Leaderboard.MetricParam] = search.Metric,
                [Leaderboard.FoldsParam] = TrainerSearch.Text(search.Folds),
                [Leaderboard.TrialsParam] = TrainerSearch.Text(search.Scores.Count),
                [Leaderboard.ChosenTrialParam] = TrainerSearch.Text(chosen.Trial.Number),
            },
            Metrics = [.. TrainStage.CrossValidationMetrics(chosen.Result)],
        };
        return (request, record);
    }

    /// <summary>
    /// The manifest's trainer of a run: the model file's name, seed and the run's effective options; for <c>auto</c>, the
    /// trainer the search chose and how (<see cref="BundleSearch"/>).
    /// </summary>
    public static BundleTrainer BundleTrainerOf(ModelSpec model, Run run)
    {
        var parameters = run.Params.Where(p => p.Key.StartsWith("trainer.", StringComparison.Ordinal)).ToDictionary(p => p.Key["trainer.".Length..], p => p.Value);
        if (!model.Trainer.IsAuto || run.Params.GetValueOrDefault("trainer") is not { } chosen)
        {
            return new BundleTrainer(model.Trainer.Name, model.Trainer.Seed, parameters);
        }

        int Number(string name) => int.Parse(run.Params[name], CultureInfo.InvariantCulture);
        return new BundleTrainer(chosen, model.Trainer.Seed, parameters)
        {
            ChosenBy = new BundleSearch(TrainerSpec.Auto, Number(Leaderboard.TrialsParam), Number(Leaderboard.ChosenTrialParam), run.Params[Leaderboard.MetricParam], Number(Leaderboard.FoldsParam)),
        };
    }

    private sealed class RunStoreTrialLog(Workspace workspace, string parentId, ModelSpec model, string dataDigest) : ITrialLog
    {
        public Task<string> StartedAsync(Trial trial, CancellationToken cancellationToken)
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [Leaderboard.TrialParam] = TrainerSearch.Text(trial.Number),
                ["trainer"] = trial.Trainer.Info.Name,
            };
            // What was searched; the options every trial pins (one thread) are in the training run's effective params.
            var pinned = SearchSpace.PinnedFor(trial.Trainer.Info);
            foreach (var (name, value) in TrainerSearch.Texts(trial.Params).Where(p => !pinned.ContainsKey(p.Key)))
            {
                parameters["trainer." + name] = value;
            }

            return workspace.Runs.StartRunAsync(new RunStart
            {
                Model = model.Name,
                ParentId = parentId,
                Params = parameters,
                DataDigest = dataDigest,
                MlNetVersion = TrainerCatalog.MlNetVersion,
                Seed = model.Trainer.Seed,
            }, cancellationToken);
        }

        public Task ScoredAsync(string handle, Trial trial, CrossValidationResult result, CancellationToken cancellationToken) =>
            workspace.Runs.CompleteRunAsync(handle, new RunCompletion { Metrics = [.. TrainStage.CrossValidationMetrics(result)] }, cancellationToken);

        public Task FailedAsync(string handle, Trial trial, TrainingException error, CancellationToken cancellationToken) =>
            workspace.Runs.FailRunAsync(handle, RunError.From(error.Diagnostic), cancellationToken);
    }
}
