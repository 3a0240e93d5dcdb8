using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Ci;

namespace Mlops.Cli.Commands.Ci;

/// <summary><c>mlops ci plan BASE HEAD</c>: the models and environments a change touches, for people or as JSON for a workflow.</summary>
internal static class CiPlanCommand
{
    public static Command Create(CliContext context)
    {
        var baseRevision = new Argument<string>("BASE") { Description = "The revision the change starts from, for example origin/main or the pull request's base sha." };
        var headRevision = new Argument<string>("HEAD") { Description = "The revision with the change, for example HEAD or the pull request's head sha." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write the plan as JSON (fields in docs/ci.md)." };
        var command = new Command("plan", "Say which models (to train and gate) and environments (to gate against, and to explain) a change between two commits touches.")
        {
            baseRevision, headRevision, repo, json,
        };
        command.SetAction(async (parse, _) =>
        {
            var plan = CiCommand.Plan(parse.GetValue(repo), parse.GetValue(baseRevision)!, parse.GetValue(headRevision)!);
            if (parse.GetValue(json))
            {
                await JsonOutput.WriteAsync(context.Out, writer => WriteJson(writer, plan)).ConfigureAwait(false);
            }
            else
            {
                await WriteTextAsync(context.Out, plan).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The plan as the JSON object docs/ci.md documents; <c>mlops ci comment --plan</c> reads its <c>base</c> and <c>head</c>.</summary>
    public static void WriteJson(System.Text.Json.Utf8JsonWriter json, CiPlan plan)
    {
        json.WriteStartObject();
        json.WriteString("base", plan.Base);
        json.WriteString("head", plan.Head);
        json.WriteStartArray("changedFiles");
        foreach (var file in plan.ChangedFiles)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
        json.WriteStartArray("models");
        foreach (var model in plan.Models)
        {
            json.WriteStartObject();
            json.WriteString("model", model.Model);
            json.WriteString("path", model.Path);
            WriteReasons(json, model.Reasons);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("environments");
        foreach (var environment in plan.Environments)
        {
            json.WriteStartObject();
            json.WriteString("environment", environment.Environment);
            json.WriteString("path", environment.Path);
            json.WriteBoolean("fileChanged", environment.FileChanged);
            WriteReasons(json, environment.Reasons);
            json.WriteString("summary", environment.Diff?.Summary()); // a null string is written as JSON null
            json.WriteString("error", environment.Error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteReasons(System.Text.Json.Utf8JsonWriter json, IReadOnlyList<string> reasons)
    {
        json.WriteStartArray("reasons");
        foreach (var reason in reasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();
    }

    private static async Task WriteTextAsync(TextWriter writer, CiPlan plan)
    {
        await writer.WriteLineAsync($"ci plan {plan.Base[..12]}..{plan.Head[..12]}: {plan.ChangedFiles.Count} changed file(s), {plan.Models.Count} model(s), {plan.Environments.Count} environment(s)").ConfigureAwait(false);
        foreach (var model in plan.Models)
        {
            await writer.WriteLineAsync($"model {model.Model} ({model.Path}): {string.Join("; ", model.Reasons)}").ConfigureAwait(false);
        }

        foreach (var environment in plan.Environments)
        {
            var explained = environment.Diff is { } diff ? $"; deploys: {diff.Summary()}" : "";
            await writer.WriteLineAsync($"environment {environment.Environment} ({environment.Path}): {string.Join("; ", environment.Reasons)}{explained}").ConfigureAwait(false);
            if (environment.Error is { } error)
            {
                await writer.WriteLineAsync("  " + error.Replace("\n", "\n  ", StringComparison.Ordinal)).ConfigureAwait(false);
            }
        }
    }
}
