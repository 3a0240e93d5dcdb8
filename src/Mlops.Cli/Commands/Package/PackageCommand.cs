using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Export;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Package;

/// <summary><c>mlops package [MODEL]</c>: the deterministic bundle of the current run, stored by its sha256 and registered as <c>MODEL@vN</c>.</summary>
internal static class PackageCommand
{
    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var noRegister = new Option<bool>("--no-register") { Description = "Store the bundle without tagging a version." };
        var command = options.AddTo(new Command("package", "Bundle the current run (model, manifest, reference profile), store it by digest and register it as MODEL@vN.") { noRegister });
        command.SetAction((parse, ct) => RunAsync(context, options, parse.GetValue(options.Store), !parse.GetValue(noRegister), parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, string? storeValue, bool register, ParseResult parse, CancellationToken cancellationToken)
    {
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        var store = StoreOption.Open(workspace.Root, storeValue);
        try
        {
            return await RunAsync(context, workspace, parse.GetValue(options.Model), store, register, parse.GetValue(options.Json), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>Packages the named model (every model when null) of an open workspace into a store and writes what was stored and registered.</summary>
    public static async Task<int> RunAsync(CliContext context, Workspace workspace, string? name, IBundleStore store, bool register, bool json, CancellationToken cancellationToken)
    {
        var outcomes = new List<PackageOutcome>();
        foreach (var (model, features) in workspace.Models(name))
        {
            outcomes.Add(await PackageStage.RunAsync(workspace, model, features, store, register, cancellationToken).ConfigureAwait(false));
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartArray();
                foreach (var outcome in outcomes)
                {
                    writer.WriteStartObject();
                    writer.WriteString("model", outcome.Run.Model);
                    writer.WriteString("runId", outcome.Run.Id);
                    writer.WriteString("digest", outcome.Digest);
                    writer.WriteString("store", outcome.Store);
                    writer.WriteString("tag", outcome.Version?.Tag);
                    writer.WriteString("commit", outcome.Version?.Commit);
                    writer.WriteBoolean("newVersion", outcome.NewVersion);
                    if (outcome.Onnx is { } onnx)
                    {
                        writer.WriteStartObject("onnx");
                        writer.WriteBoolean("converted", onnx.Converted);
                        writer.WriteNumber("rowsCompared", onnx.RowsCompared);
                        writer.WriteNumber("maxAbsoluteDifference", onnx.MaxAbsoluteDifference);
                        writer.WriteString("notConverted", onnx.Refusal);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
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
                if (outcome.Onnx is { } onnx)
                {
                    await context.Out.WriteLineAsync(onnx.Converted
                        ? $"  onnx: {OnnxExport.EntryName} carried; {onnx.RowsCompared:N0} holdout rows match ML.NET within {onnx.MaxAbsoluteDifference:G3} (tolerance {OnnxExport.Tolerance:G})"
                        : $"  onnx: not carried: {onnx.Refusal}. The bundle serves with ML.NET only.").ConfigureAwait(false);
                }
            }
        }

        return ExitCodes.Success;
    }
}
