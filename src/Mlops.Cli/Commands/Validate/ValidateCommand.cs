using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Validation;

namespace Mlops.Cli.Commands.Validate;

/// <summary><c>mlops validate</c>: every declaration, its cross-references, and each model's data.</summary>
internal static class ValidateCommand
{
    public sealed record Settings(DirectoryInfo Repo, bool Json);

    public static Command Create(CliContext context)
    {
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write the findings as JSON." };
        var command = new Command("validate", "Check every declaration, its cross-references and its data.") { repo, json };
        command.SetAction((parse, ct) => RunAsync(context, new Settings(parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(json)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Repo.Exists)
        {
            throw new UsageException($"the repository folder '{settings.Repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        var started = context.Time.GetTimestamp();
        var report = await RepositoryValidator.ValidateAsync(settings.Repo.FullName, cancellationToken).ConfigureAwait(false);
        var elapsed = context.Time.GetElapsedTime(started);
        if (settings.Json)
        {
            await JsonOutput.WriteAsync(context.Out, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("ok", report.Errors == 0);
                json.WriteNumber("errors", report.Errors);
                json.WriteNumber("warnings", report.Warnings);
                json.WriteNumber("files", report.Files);
                json.WriteNumber("dataRows", report.DataRows);
                DiagnosticOutput.WriteJson(json, report.Diagnostics);
                json.WriteEndObject();
            }).ConfigureAwait(false);
        }
        else
        {
            await DiagnosticOutput.WriteLinesAsync(context.Out, report.Diagnostics).ConfigureAwait(false);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"validate: {report.Files} declaration files, {report.DataRows:N0} data rows: {report.Errors} error(s), {report.Warnings} warning(s) in {elapsed.TotalSeconds:0.00} s"))
                .ConfigureAwait(false);
        }

        return report.Errors == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
