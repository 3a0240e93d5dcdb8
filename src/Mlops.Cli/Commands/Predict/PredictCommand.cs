using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Predict;
using Spectre.Console;

namespace Mlops.Cli.Commands.Predict;

/// <summary>
/// <c>mlops predict MODEL (--environment ENV | --version N) --input FILE.csv --output FILE.csv</c>: scores a
/// file with exactly the bundle an environment pins (or a registered version), through the server's
/// rows and scorer.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model to score with." };
        var environment = new Option<string>("--environment") { Description = "Score with the version this environment pins (environments/ENV.yaml)." };
        var version = new Option<int?>("--version") { Description = "Score with this registered version (the git tag MODEL@vN) instead." };
        var input = new Option<FileInfo>("--input") { Description = "The CSV file to score: a header naming the features, then one row per line.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "The CSV file to write: the entity (or the input's line), then the prediction columns. A FILE.meta.json beside it says what produced it.", Required = true };
        var errors = new Option<FileInfo>("--errors") { Description = "Write rows that do not fit here (line, column, feature, id, message) and score the others; without it such rows fail the command and nothing is written." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Write the outcome as JSON." };
        var command = new Command("predict", "Score a CSV file offline with the bundle an environment pins, exactly as the server would.")
        {
            model, environment, version, input, output, errors, repo, store, json,
        };
        command.SetAction((parse, ct) => RunAsync(context, new Settings(
            parse.GetValue(model)!,
            parse.GetValue(environment),
            parse.GetValue(version),
            parse.GetValue(input)!,
            parse.GetValue(output)!,
            parse.GetValue(errors),
            parse.GetValue(repo) ?? new DirectoryInfo("."),
            parse.GetValue(store),
            parse.GetValue(json)), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Repo.Exists)
        {
            throw new UsageException($"the repository folder '{settings.Repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        var store = StoreOption.Open(settings.Repo.FullName, settings.Store);
        var request = new PredictRequest(settings.Input.FullName, settings.Output.FullName, settings.Errors?.FullName, settings.Input.ToString());
        PredictOutcome outcome;
        try
        {
            outcome = await ProgressAsync(context, settings.Json, progress => PredictStage.RunAsync(
                settings.Repo.FullName, settings.Model, settings.Environment, settings.Version, store, request, progress, context.Time, cancellationToken)).ConfigureAwait(false);
        }
        catch (RowsRefusedException e)
        {
            await DiagnosticOutput.WriteLinesAsync(context.Out, e.Errors).ConfigureAwait(false);
            await context.Error.WriteLineAsync($"mlops: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }

        var counts = outcome.Counts;
        if (settings.Json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("model", outcome.Source.Model);
                writer.WriteNumber("version", outcome.Source.Version);
                writer.WriteString("bundleDigest", outcome.Source.Digest);
                writer.WriteString("environment", outcome.Source.Environment);
                writer.WriteNumber("rows", counts.Rows);
                writer.WriteNumber("scored", counts.Scored);
                writer.WriteNumber("refused", counts.Refused);
                writer.WriteString("output", outcome.OutputPath);
                writer.WriteString("sidecar", outcome.SidecarPath);
                writer.WriteString("errors", request.ErrorsPath);
                writer.WriteNumber("seconds", counts.Duration.TotalSeconds);
                writer.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else
        {
            var pinned = outcome.Source.Environment is { } env ? $", pinned in {env}" : "";
            var refused = counts.Refused > 0 ? string.Create(CultureInfo.InvariantCulture, $", {counts.Refused:N0} refused into {settings.Errors}") : "";
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"predict {outcome.Source.Model} v{outcome.Source.Version} ({outcome.Source.Digest[..19]}{pinned}): {counts.Scored:N0} of {counts.Rows:N0} rows scored into {settings.Output}{refused} in {counts.Duration.TotalSeconds:0.00} s")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>Shows the rows read so far on a terminal; nothing when output is redirected or JSON.</summary>
    private static async Task<T> ProgressAsync<T>(CliContext context, bool json, Func<IProgress<long>?, Task<T>> work)
    {
        if (json || !context.Console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await context.Console.Status().StartAsync("Scoring", async status =>
        {
            var progress = new Progress<long>(rows => status.Status(string.Create(CultureInfo.InvariantCulture, $"Scoring: {rows:N0} rows")));
            return await work(progress).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private sealed record Settings(string Model, string? Environment, int? Version, FileInfo Input, FileInfo Output, FileInfo? Errors, DirectoryInfo Repo, string? Store, bool Json);
}
