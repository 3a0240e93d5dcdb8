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
        return await WriteAsync(context, report, context.Time.GetElapsedTime(started), settings.Json).ConfigureAwait(false);
    }

    /// <summary>Writes a validation's findings and summary (or its JSON); the exit code is 1 when it found errors.</summary>
    public static async Task<int> WriteAsync(CliContext context, ValidationReport report, TimeSpan elapsed, bool json)
    {
        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("ok", report.Errors == 0);
                writer.WriteNumber("errors", report.Errors);
                writer.WriteNumber("warnings", report.Warnings);
                writer.WriteNumber("files", report.Files);
                writer.WriteNumber("dataRows", report.DataRows);
                DiagnosticOutput.WriteJson(writer, report.Diagnostics);
                writer.WriteEndObject();
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
