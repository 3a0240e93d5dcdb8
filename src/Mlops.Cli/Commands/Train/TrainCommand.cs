using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Train;

/// <summary><c>mlops train [MODEL]</c>: train each model, or reuse its cached run when nothing that determines it changed.</summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var command = options.AddTo(new Command("train", "Train models from their declarations; a rerun with unchanged inputs reuses the cached run."));
        command.SetAction((parse, ct) => RunAsync(context, options, parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, ParseResult parse, CancellationToken cancellationToken)
    {
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        return await RunAsync(context, workspace, parse.GetValue(options.Model), parse.GetValue(options.Force), parse.GetValue(options.Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Trains the named model (every model when null) in an open workspace and writes what happened.</summary>
    public static async Task<int> RunAsync(CliContext context, Workspace workspace, string? name, bool force, bool json, CancellationToken cancellationToken)
    {
        var outcomes = new List<TrainOutcome>();
        foreach (var (model, features) in workspace.Models(name))
        {
            // Training every model (the pipeline's Train stage) passes over external ones; naming one is an error that says how to register it.
            if (name is null && ExternalModel.IsExternal(model.Value))
            {
                if (!json)
                {
                    await context.Out.WriteLineAsync($"train {model.Value.Name}: skipped, trained outside mlops (trainer: {ExternalModel.TrainerName}); '{ExternalModel.RegisterCommand(model.Value)}' registers its versions").ConfigureAwait(false);
                }

                continue;
            }

            var outcome = await StageProgress.RunAsync(context, json, $"Training {model.Value.Name}",
                progress => TrainStage.RunAsync(workspace, model, features, force, progress, cancellationToken)).ConfigureAwait(false);
            outcomes.Add(outcome);
            if (!json)
            {
                await context.Out.WriteLineAsync(Describe(outcome)).ConfigureAwait(false);
            }
        }

        var database = TrackingLocation.IsPostgreSql(workspace.Runs.DatabasePath) ? workspace.Runs.DatabasePath : workspace.Relative(workspace.Runs.DatabasePath);
        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("database", database);
                writer.WriteStartArray("models");
                foreach (var outcome in outcomes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("model", outcome.Model);
                    writer.WriteString("runId", outcome.Run.Id);
                    writer.WriteBoolean("cacheHit", outcome.CacheHit);
                    writer.WriteString("artifact", outcome.Run.Artifact?.Path);
                    writer.WriteString("digest", outcome.Run.Artifact?.Digest);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else
        {
            await context.Out.WriteLineAsync($"runs recorded in {database} (mlops runs list)").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static string Describe(TrainOutcome outcome)
    {
        var run = outcome.Run;
        if (outcome.CacheHit)
        {
            return $"train {outcome.Model}: cache hit, reusing run {run.Id} (nothing that determines the model changed; --force retrains)";
        }

        var trainRows = run.FindMetric("trainRows", RunMetric.Train)?.Value;
        var holdoutRows = run.FindMetric("holdoutRows")?.Value;
        return string.Create(CultureInfo.InvariantCulture,
            $"train {outcome.Model}: trained {run.Params.GetValueOrDefault("trainer")} on {trainRows:N0} rows ({holdoutRows:N0} held out) in {run.Duration?.TotalSeconds:0.0} s, run {run.Id}\n  model {run.Artifact?.Path} {run.Artifact?.Digest}");
    }
}
