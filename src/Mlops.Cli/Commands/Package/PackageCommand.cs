using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli.Commands.Package;

/// <summary><c>mlops package [MODEL]</c>: the deterministic bundle of the current run, stored by its sha256 and registered as <c>MODEL@vN</c>.</summary>
internal static class PackageCommand
{
    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var store = StoreOption.Create();
        var noRegister = new Option<bool>("--no-register") { Description = "Store the bundle without tagging a version." };
        var command = options.AddTo(new Command("package", "Bundle the current run (model, manifest, reference profile), store it by digest and register it as MODEL@vN.") { store, noRegister });
        command.SetAction((parse, ct) => RunAsync(context, options, parse.GetValue(store), !parse.GetValue(noRegister), parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, string? storeValue, bool register, ParseResult parse, CancellationToken cancellationToken)
    {
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        var store = StoreOption.Open(workspace.Root, storeValue);
        try
        {
            var outcomes = new List<PackageOutcome>();
            foreach (var (model, features) in workspace.Models(parse.GetValue(options.Model)))
            {
                outcomes.Add(await PackageStage.RunAsync(workspace, model, features, store, register, cancellationToken).ConfigureAwait(false));
            }

            if (parse.GetValue(options.Json))
            {
                await JsonOutput.WriteAsync(context.Out, json =>
                {
                    json.WriteStartArray();
                    foreach (var outcome in outcomes)
                    {
                        json.WriteStartObject();
                        json.WriteString("model", outcome.Run.Model);
                        json.WriteString("runId", outcome.Run.Id);
                        json.WriteString("digest", outcome.Digest);
                        json.WriteString("store", outcome.Store);
                        json.WriteString("tag", outcome.Version?.Tag);
                        json.WriteString("commit", outcome.Version?.Commit);
                        json.WriteBoolean("newVersion", outcome.NewVersion);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }).ConfigureAwait(false);
            }
            else
            {
                foreach (var outcome in outcomes)
                {
                    var registered = outcome.Version is not { } version
                        ? "not registered (--no-register)"
                        : outcome.NewVersion
                            ? $"registered as {version.Tag} on commit {version.Commit[..12]}"
                            : $"already registered as {version.Tag}";
                    await context.Out.WriteLineAsync($"package {outcome.Run.Model}: bundle {outcome.Digest} in {outcome.Store}; {registered}").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }

        return ExitCodes.Success;
    }
}
