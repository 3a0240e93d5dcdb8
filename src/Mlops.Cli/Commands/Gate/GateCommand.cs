using System.CommandLine;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli.Commands.Gate;

/// <summary><c>mlops gate [MODEL] --environment ENV</c>: the model's gate and the environment's requirements, as Markdown or JSON; exit 1 when a rule fails.</summary>
internal static class GateCommand
{
    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var environment = new Option<string>("--environment", "-e") { Description = "The target environment: its requirements apply and its pinned version is the champion." };
        var markdown = new Option<FileInfo>("--markdown") { Description = "Also write the Markdown report to this file (for a pull-request comment); its folder is created if missing." };
        var command = options.AddTo(new Command("gate", "Check the current run against the model's gate and the environment's requirements.") { environment, markdown });
        command.SetAction((parse, ct) => RunAsync(context, options, parse.GetValue(environment), parse.GetValue(markdown), parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, string? environment, FileInfo? markdownFile, ParseResult parse, CancellationToken cancellationToken)
    {
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        return await RunAsync(context, workspace, parse.GetValue(options.Model), environment, markdownFile, parse.GetValue(options.Json), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gates the named model (every model when null) in an open workspace and writes the reports; 1 when a rule fails.</summary>
    public static async Task<int> RunAsync(CliContext context, Workspace workspace, string? name, string? environment, FileInfo? markdownFile, bool json, CancellationToken cancellationToken)
    {
        var reports = new List<GateReport>();
        foreach (var (model, features) in workspace.Models(name))
        {
            reports.Add((await GateStage.RunAsync(workspace, model, features, environment, cancellationToken).ConfigureAwait(false)).Report);
        }

        var markdown = string.Join("\n", reports.Select(GateReportWriter.ToMarkdown));
        if (markdownFile is not null)
        {
            markdownFile.Directory?.Create();
            await File.WriteAllTextAsync(markdownFile.FullName, markdown, cancellationToken).ConfigureAwait(false);
        }

        await context.Out.WriteAsync(json ? $"[{string.Join(",\n", reports.Select(GateReportWriter.ToJson))}]\n" : markdown).ConfigureAwait(false);
        return reports.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
