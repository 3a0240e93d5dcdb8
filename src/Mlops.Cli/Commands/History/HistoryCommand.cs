using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Commands.Promote;
using Mlops.Cli.Output;
using Mlops.Pipeline.History;
using Spectre.Console;

namespace Mlops.Cli.Commands.History;

/// <summary><c>mlops history ENV [--at DATE]</c>: every change of the environment file with what it pinned; or what ran at a date.</summary>
internal static class HistoryCommand
{
    public static Command Create(CliContext context)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment." };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Show only what the environment pinned at this date and time (ISO 8601)." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write JSON for machines." };
        var command = new Command("history", "What an environment pinned over time, from the git history of its file.") { environment, at, repo, json };
        command.SetAction(async (parse, ct) =>
        {
            var history = await PromotionErrors.RunAsync(() => Task.FromResult(EnvironmentHistory.Load(PromotionErrors.Root(parse.GetValue(repo)), parse.GetValue(environment)!))).ConfigureAwait(false);
            IReadOnlyList<EnvironmentRevision> revisions = history.Revisions;
            if (parse.GetValue(at) is { } when)
            {
                revisions = history.AsOf(when) is { } revision ? [revision] : [];
                if (revisions.Count == 0)
                {
                    throw new UsageException($"environments/{history.Environment}.yaml did not exist yet at {when:u}.");
                }
            }

            if (parse.GetValue(json))
            {
                await JsonOutput.WriteAsync(context.Out, writer =>
                {
                    writer.WriteStartArray();
                    foreach (var revision in revisions)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("commit", revision.Commit);
                        writer.WriteString("date", revision.Date);
                        writer.WriteString("author", revision.Author);
                        if (revision.PullRequest is { } pullRequest)
                        {
                            writer.WriteNumber("pullRequest", pullRequest);
                        }
                        else
                        {
                            writer.WriteNull("pullRequest");
                        }

                        writer.WriteString("subject", revision.Subject);
                        writer.WriteStartArray("pins");
                        foreach (var pin in revision.Pins)
                        {
                            writer.WriteStringValue($"{pin.Model}@v{pin.Version}");
                        }

                        writer.WriteEndArray();
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            // Who and which pull request: what an auditor asks first (docs/ci.md, "Who approved what, when").
            var table = new Table().AddColumns("date", "commit", "pull request", "author", "change", "pins after");
            foreach (var revision in revisions)
            {
                table.AddRow(
                    revision.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    revision.Commit[..10],
                    revision.PullRequest is { } pullRequest ? "#" + pullRequest.ToString(CultureInfo.InvariantCulture) : "",
                    Markup.Escape(revision.Author),
                    Markup.Escape(revision.Subject),
                    Markup.Escape(string.Join(", ", revision.Pins.Select(Describe))));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A pin in words, as the history table and the UI's history page show it: <c>churn@v8 (+v9 canary 10%)</c>.</summary>
    public static string Describe(Declarations.Environments.PinnedModel pin) =>
        $"{pin.Model}@v{pin.Version}"
        + (pin.Canary is { } canary ? $" (+v{canary.Version} canary {canary.Weight}%)" : "")
        + (pin.Shadow is { } shadow ? $" (+v{shadow.Version} shadow)" : "")
        + (pin.Enabled ? "" : " (off)");
}
