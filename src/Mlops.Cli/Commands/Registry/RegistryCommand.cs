using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.History;
using Mlops.Pipeline.Registry;
using Spectre.Console;

namespace Mlops.Cli.Commands.Registry;

/// <summary><c>mlops registry list [MODEL]</c>: registered versions with digests, key metrics and the environments that pin them.</summary>
internal static class RegistryCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string?>("MODEL") { Description = "Only this model's versions.", Arity = ArgumentArity.ZeroOrOne };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write JSON for machines." };
        var list = new Command("list", "List registered versions (git tags MODEL@vN) and which environment pins which.") { model, repo, json };
        list.SetAction((parse, ct) => ListAsync(context, parse.GetValue(model), parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(json)));
        return new Command("registry", "The model registry kept as annotated git tags.") { list };
    }

    private static async Task<int> ListAsync(CliContext context, string? model, DirectoryInfo repo, bool json)
    {
        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        IReadOnlyList<ModelVersion> versions;
        IReadOnlyDictionary<(string Model, int Version), List<string>> pins;
        try
        {
            versions = new ModelRegistry(repo.FullName, context.Time).List(model);
            pins = EnvironmentPins(repo.FullName);
        }
        catch (RegistryException e)
        {
            throw new UsageException(e.Message);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartArray();
                foreach (var version in versions)
                {
                    writer.WriteStartObject();
                    writer.WriteString("model", version.Model);
                    writer.WriteNumber("version", version.Version);
                    writer.WriteString("tag", version.Tag);
                    writer.WriteString("digest", version.BundleDigest);
                    writer.WriteString("commit", version.Commit);
                    writer.WriteString("date", version.Date);
                    writer.WriteString("runId", version.RunId);
                    writer.WriteStartObject("metrics");
                    foreach (var metric in version.Metrics)
                    {
                        writer.WriteNumber(metric.Name, metric.Value);
                    }

                    writer.WriteEndObject();
                    writer.WriteStartArray("environments");
                    foreach (var environment in pins.GetValueOrDefault((version.Model, version.Version)) ?? [])
                    {
                        writer.WriteStringValue(environment);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        if (versions.Count == 0)
        {
            await context.Out.WriteLineAsync($"no registered versions{(model is null ? "" : $" of '{model}'")}: 'mlops package' registers one.").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("version", "bundle", "commit", "registered", "auc", "pinned in");
        foreach (var version in versions)
        {
            table.AddRow(
                version.Tag,
                version.BundleDigest[7..19],
                version.Commit[..12],
                version.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                version.Metric("auc")?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(string.Join(", ", pins.GetValueOrDefault((version.Model, version.Version)) ?? [])));
        }

        context.Console.Write(table);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Which environments pin each version at HEAD: <c>production</c>, <c>staging (canary 10%)</c>, <c>staging (shadow)</c>.
    /// The registry list and the UI's registry page both show this.
    /// </summary>
    /// <exception cref="RegistryException">The folder is not in a git repository.</exception>
    public static IReadOnlyDictionary<(string Model, int Version), List<string>> EnvironmentPins(string repo)
    {
        Dictionary<(string Model, int Version), List<string>> pins = [];
        foreach (var environment in EnvironmentHistory.Environments(repo))
        {
            foreach (var pin in EnvironmentHistory.Load(repo, environment).Current)
            {
                Pinned(pins, (pin.Model, pin.Version)).Add(environment);
                if (pin.Canary is { } canary)
                {
                    Pinned(pins, (pin.Model, canary.Version)).Add($"{environment} (canary {canary.Weight}%)");
                }

                if (pin.Shadow is { } shadow)
                {
                    Pinned(pins, (pin.Model, shadow.Version)).Add($"{environment} (shadow)");
                }
            }
        }

        return pins;
    }

    private static List<string> Pinned(Dictionary<(string, int), List<string>> pins, (string, int) key)
    {
        if (!pins.TryGetValue(key, out var list))
        {
            pins[key] = list = [];
        }

        return list;
    }
}
