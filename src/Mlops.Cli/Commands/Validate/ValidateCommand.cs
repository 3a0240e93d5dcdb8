using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Validation;

namespace Mlops.Cli.Commands.Validate;

/// <summary>How <c>mlops validate</c> writes its findings.</summary>
internal enum ValidateFormat
{
    /// <summary><c>path(line,col): error MLOPSnnnn: message</c> lines and a summary (the default).</summary>
    Compiler,

    /// <summary>GitHub Actions workflow commands (<c>::error file=...::message</c>) and the summary.</summary>
    GitHub,

    /// <summary>A SARIF 2.1.0 log, for code scanning.</summary>
    Sarif,

    /// <summary>The findings and counts as JSON (<c>--json</c>).</summary>
    Json,
}

/// <summary><c>mlops validate</c>: every declaration, its cross-references, and each model's data.</summary>
internal static class ValidateCommand
{
    public sealed record Settings(DirectoryInfo Repo, ValidateFormat Format, string? Store = null);

    private static readonly string[] s_formats = ["compiler", "github", "sarif"];

    public static Command Create(CliContext context)
    {
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write the findings as JSON." };
        var format = new Option<string>("--format")
        {
            Description = "How to write the findings: compiler (path(line,col): error ID: message; the default), github (GitHub Actions annotations) or sarif (SARIF 2.1.0 for code scanning).",
            DefaultValueFactory = _ => "compiler",
        };
        format.AcceptOnlyFromAmong(s_formats);
        var store = StoreOption.Create();
        var command = new Command("validate", "Check every declaration, its cross-references and its data.") { repo, json, format, store };
        command.SetAction((parse, ct) =>
        {
            var chosen = parse.GetValue(format) ?? "compiler";
            if (parse.GetValue(json) && chosen != "compiler")
            {
                throw new UsageException($"--json and --format {chosen} ask for two outputs. Pass one of them.");
            }

            var settings = new Settings(parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(json) ? ValidateFormat.Json : chosen switch
            {
                "github" => ValidateFormat.GitHub,
                "sarif" => ValidateFormat.Sarif,
                _ => ValidateFormat.Compiler,
            }, parse.GetValue(store));
            return RunAsync(context, settings, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!settings.Repo.Exists)
        {
            throw new UsageException($"the repository folder '{settings.Repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        var started = context.Time.GetTimestamp();
        var report = await RepositoryValidator.ValidateAsync(settings.Repo.FullName, cancellationToken, cache: new DataCache(settings.Repo.FullName, settings.Store)).ConfigureAwait(false);
        return await WriteAsync(context, report, context.Time.GetElapsedTime(started), settings.Format).ConfigureAwait(false);
    }

    /// <summary>Writes a validation's findings and summary in the format asked for; the exit code is 1 when it found errors.</summary>
    public static async Task<int> WriteAsync(CliContext context, ValidationReport report, TimeSpan elapsed, ValidateFormat format)
    {
        switch (format)
        {
            case ValidateFormat.Json:
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
                break;
            case ValidateFormat.Sarif:
                // The log is the whole output (redirected to a file for upload), so no summary line follows it.
                await JsonOutput.WriteAsync(context.Out, writer => DiagnosticOutput.WriteSarif(writer, report.Diagnostics)).ConfigureAwait(false);
                break;
            default:
                await (format == ValidateFormat.GitHub
                    ? DiagnosticOutput.WriteGitHubAsync(context.Out, report.Diagnostics)
                    : DiagnosticOutput.WriteLinesAsync(context.Out, report.Diagnostics)).ConfigureAwait(false);
                await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"validate: {report.Files} declaration files, {report.DataRows:N0} data rows: {report.Errors} error(s), {report.Warnings} warning(s) in {elapsed.TotalSeconds:0.00} s"))
                    .ConfigureAwait(false);
                break;
        }

        return report.Errors == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
