using System.CommandLine;
using System.Text.Json;
using Mlops.Cli.Commands.Diff;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.Ci;

namespace Mlops.Cli.Commands.Ci;

/// <summary>
/// <c>mlops ci comment</c>: the Markdown body of the pull request's one mlops comment, starting with
/// <see cref="CiComment.Marker"/> so a workflow updates that comment instead of adding another.
/// </summary>
internal static class CiCommentCommand
{
    public static Command Create(CliContext context)
    {
        var planFile = new Option<FileInfo>("--plan") { Description = "A plan written by 'mlops ci plan --json'; its base and head commits are compared." };
        var baseRevision = new Option<string>("--base") { Description = "The revision the change starts from (instead of --plan); needs --head." };
        var headRevision = new Option<string>("--head") { Description = "The revision with the change (instead of --plan); needs --base." };
        var gateReports = new Option<FileInfo[]>("--gate-report")
        {
            Description = "A gate report in Markdown, as 'mlops gate --markdown FILE' writes it; repeat for several, shown in the order given.",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Write the body to this file (its folder is created) instead of standard output." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var store = StoreOption.Create();
        var command = new Command("comment", "Write the pull-request comment: what the change touches, the gate reports and what each changed environment file deploys.")
        {
            planFile, baseRevision, headRevision, gateReports, output, repo, store,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (from, to) = await RangeAsync(parse.GetValue(planFile), parse.GetValue(baseRevision), parse.GetValue(headRevision), ct).ConfigureAwait(false);
            var plan = CiCommand.Plan(parse.GetValue(repo), from, to);
            var reports = new List<string>();
            foreach (var report in parse.GetValue(gateReports) ?? [])
            {
                reports.Add(await ReadAsync(report, "gate report", "Pass a file written by 'mlops gate --markdown FILE'", ct).ConfigureAwait(false));
            }

            var diffs = await DiffCommand.ExplainAsync(context, PromotionErrors.Root(parse.GetValue(repo)), plan.Diffs, parse.GetValue(store), ct).ConfigureAwait(false);
            var body = CiComment.Render(plan, diffs, reports);
            if (parse.GetValue(output) is { } file)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, body, ct).ConfigureAwait(false);
            }
            else
            {
                await context.Out.WriteAsync(body).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<(string Base, string Head)> RangeAsync(FileInfo? planFile, string? baseRevision, string? headRevision, CancellationToken cancellationToken)
    {
        if (planFile is not null)
        {
            if (baseRevision is not null || headRevision is not null)
            {
                throw new UsageException("--plan and --base/--head both name the commits to compare. Pass one of them.");
            }

            var text = await ReadAsync(planFile, "plan", "Pass a file written by 'mlops ci plan BASE HEAD --json'", cancellationToken).ConfigureAwait(false);
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("base", out var from) && from.ValueKind == JsonValueKind.String
                    && json.RootElement.TryGetProperty("head", out var to) && to.ValueKind == JsonValueKind.String)
                {
                    return (from.GetString()!, to.GetString()!);
                }
            }
            catch (JsonException)
            {
                // Reported below, with the other shapes that are not a plan.
            }

            throw new UsageException($"the plan file '{planFile.FullName}' is not a plan: it needs the string fields \"base\" and \"head\". Pass a file written by 'mlops ci plan BASE HEAD --json'.");
        }

        return (baseRevision, headRevision) switch
        {
            ({ } from, { } to) => (from, to),
            (null, null) => throw new UsageException("no commits to compare. Pass --plan FILE, or --base BASE and --head HEAD."),
            _ => throw new UsageException("--base and --head go together. Pass both, or --plan FILE."),
        };
    }

    // Line endings are git's: a report written on Windows must not make the body differ.
    private static async Task<string> ReadAsync(FileInfo file, string what, string advice, CancellationToken cancellationToken) =>
        file.Exists
            ? (await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false)).Replace("\r\n", "\n", StringComparison.Ordinal)
            : throw new UsageException($"the {what} file '{file.FullName}' does not exist. {advice}.");
}
