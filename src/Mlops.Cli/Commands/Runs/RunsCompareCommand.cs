using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary><c>mlops runs compare RUN_A RUN_B</c>: inputs, params and metrics side by side, like <c>dvc metrics diff</c>.</summary>
internal static class RunsCompareCommand
{
    public sealed record Settings(string DatabasePath, string RunA, string RunB, bool Json);

    public static Command Create(CliContext context)
    {
        var options = new RunStoreOptions();
        var runA = new Argument<string>("RUN_A") { Description = "The baseline run: an id, a unique prefix, a model's name or 'latest'." };
        var runB = new Argument<string>("RUN_B") { Description = "The run compared with it; changes are B minus A." };
        var command = new Command("compare", "Compare two runs: inputs and params side by side (changed ones marked), metrics with their change.") { runA, runB };
        options.AddTo(command);
        command.SetAction((parse, ct) =>
            RunAsync(context, new Settings(options.ResolvePath(parse), parse.GetValue(runA)!, parse.GetValue(runB)!, parse.GetValue(options.Json)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await RunStoreOptions.OpenExistingAsync(settings.DatabasePath, context, cancellationToken).ConfigureAwait(false)
            ?? throw RunStoreOptions.NoStore(settings.DatabasePath);
        RunComparison comparison;
        await using (store.ConfigureAwait(false))
        {
            var a = await RunStoreOptions.ResolveAsync(store, settings.RunA, cancellationToken).ConfigureAwait(false);
            var b = await RunStoreOptions.ResolveAsync(store, settings.RunB, cancellationToken).ConfigureAwait(false);
            comparison = RunComparison.Create(a, b);
        }

        if (settings.Json)
        {
            await JsonOutput.WriteAsync(context.Out, json => RunJson.WriteComparison(json, comparison)).ConfigureAwait(false);
        }
        else
        {
            foreach (var part in RunTables.Compare(comparison))
            {
                context.Console.Write(part);
            }
        }

        return ExitCodes.Success;
    }
}
