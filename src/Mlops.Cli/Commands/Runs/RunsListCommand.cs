using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary><c>mlops runs list [MODEL]</c>: the latest runs, newest first.</summary>
internal static class RunsListCommand
{
    public sealed record Settings(string DatabasePath, string? Model, int Limit, bool Json);

    public static Command Create(CliContext context)
    {
        var options = new RunStoreOptions();
        var model = new Argument<string?>("MODEL") { Description = "Only this model's runs.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "How many runs at most. The default is 20.", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--limit must be 1 or more.");
            }
        });
        var command = new Command("list", "List the latest runs, newest first (the trials of trainer auto are shown by 'runs show', not here).") { model, limit };
        options.AddTo(command);
        command.SetAction((parse, ct) =>
            RunAsync(context, new Settings(options.ResolvePath(parse), parse.GetValue(model), parse.GetValue(limit), parse.GetValue(options.Json)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await RunStoreOptions.OpenExistingAsync(settings.DatabasePath, context, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Run> runs = [];
        if (store is not null)
        {
            await using (store.ConfigureAwait(false))
            {
                runs = await store.ListAsync(settings.Model, settings.Limit, cancellationToken).ConfigureAwait(false);
            }
        }

        if (settings.Json)
        {
            await JsonOutput.WriteAsync(context.Out, json =>
            {
                json.WriteStartObject();
                json.WriteString("database", TrackingLocation.Display(settings.DatabasePath));
                json.WriteStartArray("runs");
                foreach (var run in runs)
                {
                    RunJson.WriteRun(json, run);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else if (runs.Count == 0)
        {
            var which = settings.Model is null ? "No runs" : $"No runs of model '{settings.Model}'";
            await context.Out.WriteLineAsync($"{which} recorded yet in {TrackingLocation.Display(settings.DatabasePath)}. Train a model with 'mlops train' to record one.")
                .ConfigureAwait(false);
        }
        else
        {
            context.Console.Write(RunTables.List(runs, context.Time.GetUtcNow()));
            await context.Out.WriteLineAsync($"{runs.Count} run(s) from {TrackingLocation.Display(settings.DatabasePath)}; 'mlops runs show RUN' for details"
                + (runs.Any(r => r.Params.ContainsKey(Leaderboard.MetricParam)) ? " (the trials of trainer auto are not listed: 'mlops runs show RUN' shows them as a leaderboard)." : ".")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }
}
