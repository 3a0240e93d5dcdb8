using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli.Commands.Reproduce;

/// <summary><c>mlops reproduce MODEL@vN</c>: retrain a registered version from its commit and say whether the bundle is byte-identical.</summary>
internal static class ReproduceCommand
{
    public static Command Create(CliContext context)
    {
        var reference = new Argument<string>("VERSION") { Description = "The registered version, MODEL@vN." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Write JSON for machines." };
        var command = new Command("reproduce", "Retrain a registered version from the declarations and data of its commit and compare the bundles.") { reference, repo, store, json };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(reference)!, parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(store), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string reference, DirectoryInfo repo, string? storeValue, bool json, CancellationToken cancellationToken)
    {
        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        var store = StoreOption.Open(repo.FullName, storeValue);
        ReproduceOutcome outcome;
        try
        {
            outcome = await ReproduceStage.RunAsync(repo.FullName, reference, store, context.Time, new DataCache(repo.FullName, storeValue), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("version", outcome.Version.Tag);
                writer.WriteString("registeredDigest", outcome.Version.BundleDigest);
                writer.WriteString("reproducedDigest", outcome.ReproducedDigest);
                writer.WriteBoolean("identical", outcome.Identical);
                writer.WriteStartArray("differences");
                foreach (var difference in outcome.Differences)
                {
                    writer.WriteStartObject();
                    writer.WriteString("entry", difference.Entry);
                    writer.WriteString("registered", difference.Registered);
                    writer.WriteString("reproduced", difference.Reproduced);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartObject("metricDeltas");
                foreach (var delta in outcome.MetricDeltas.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    writer.WriteNumber(delta.Key, double.IsFinite(delta.Value) ? delta.Value : 0);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else if (outcome.Identical)
        {
            await context.Out.WriteLineAsync($"reproduce {outcome.Version.Tag}: identical, bundle {outcome.ReproducedDigest}").ConfigureAwait(false);
        }
        else
        {
            await context.Out.WriteLineAsync($"reproduce {outcome.Version.Tag}: DIFFERENT, registered {outcome.Version.BundleDigest}, reproduced {outcome.ReproducedDigest}").ConfigureAwait(false);
            foreach (var difference in outcome.Differences)
            {
                await context.Out.WriteLineAsync($"  entry {difference.Entry}: {difference.Registered ?? "absent"} -> {difference.Reproduced ?? "absent"}").ConfigureAwait(false);
            }

            foreach (var delta in outcome.MetricDeltas.Where(d => d.Value != 0).OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {delta.Key}: {delta.Value:+0.######;-0.######}")).ConfigureAwait(false);
            }
        }

        return outcome.Identical ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
