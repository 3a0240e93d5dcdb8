using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary><c>mlops runs show RUN</c>: everything one run recorded.</summary>
internal static class RunsShowCommand
{
    public sealed record Settings(string DatabasePath, string Run, bool Json);

    public static Command Create(CliContext context)
    {
        var options = new RunStoreOptions();
        var run = new Argument<string>("RUN") { Description = "A run id, a unique prefix of one, a model's name (its latest run), or 'latest'." };
        var command = new Command("show", "Show one run: status, inputs, git commit, toolchain, params, metrics; for trainer auto, the leaderboard of its trials.") { run };
        options.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(context, new Settings(options.ResolvePath(parse), parse.GetValue(run)!, parse.GetValue(options.Json)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await RunStoreOptions.OpenExistingAsync(settings.DatabasePath, context, cancellationToken).ConfigureAwait(false)
            ?? throw RunStoreOptions.NoStore(settings.DatabasePath);
        await using (store.ConfigureAwait(false))
        {
            var run = await RunStoreOptions.ResolveAsync(store, settings.Run, cancellationToken).ConfigureAwait(false);
            var leaderboard = Leaderboard.Of(run, await store.ChildrenAsync(run.Id, cancellationToken).ConfigureAwait(false));
            if (settings.Json)
            {
                var attachments = new Dictionary<string, string>();
                foreach (var name in run.Attachments)
                {
                    if (await store.GetAttachmentAsync(run.Id, name, cancellationToken).ConfigureAwait(false) is { } content)
                    {
                        attachments[name] = content;
                    }
                }

                await JsonOutput.WriteAsync(context.Out, json => RunJson.WriteRun(json, run, attachments, leaderboard)).ConfigureAwait(false);
            }
            else
            {
                foreach (var part in RunTables.Show(run, context.Time.GetUtcNow(), leaderboard))
                {
                    context.Console.Write(part);
                }
            }
        }

        return ExitCodes.Success;
    }
}
