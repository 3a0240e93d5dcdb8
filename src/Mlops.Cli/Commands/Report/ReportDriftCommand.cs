using System.CommandLine;
using System.Text;
using Mlops.Cli.Commands.Drift;
using Mlops.Server.Ui.Html;
using Mlops.Server.Ui.Pages;

namespace Mlops.Cli.Commands.Report;

/// <summary>
/// <c>mlops report drift --reference A --current B --html FILE [--feature-set SET@V | --model MODEL@vN] [--method M]</c>:
/// what <c>mlops drift</c> computes (the same options and reading), written as one self-contained HTML
/// file: the verdict, every feature's test, and each feature's distributions. Exit 0 no drift, 1 the
/// data set drifted (the file is written all the same), 2 bad usage or input (no file is written).
/// </summary>
internal static class ReportDriftCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new DriftInputOptions();
        var html = new Option<FileInfo>("--html") { Description = "The HTML file to write (replaced if it exists); it needs no server, network or script to open.", Required = true };
        var command = new Command("drift", "Compare current data with a reference as 'mlops drift' does, and write the result as one HTML page (exit 1 when the data set drifted).");
        inputs.AddTo(command);
        command.Options.Add(html);
        command.SetAction((parse, ct) => RunAsync(context, inputs, parse, parse.GetValue(html)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, DriftInputOptions inputs, ParseResult parse, FileInfo html, CancellationToken cancellationToken)
    {
        if (await inputs.CompareAsync(parse, context, allStatistics: false, cancellationToken).ConfigureAwait(false) is not { } outcome)
        {
            return ExitCodes.BadInput;
        }

        var page = DriftReportPage.Render(
            outcome.Report,
            outcome.ReferenceColumns,
            outcome.CurrentColumns,
            new DriftReportSubject(outcome.Reference, outcome.Current, outcome.Schema, outcome.ReferenceRows, outcome.CurrentRows),
            UiStyleSheet.Inline);
        await WriteAsync(html, page, cancellationToken).ConfigureAwait(false);
        var report = outcome.Report;
        await context.Out.WriteLineAsync($"{(report.Drifted ? "data set drifted" : "no data set drift")}: {report.DriftedFeatures} of {report.Features.Count} features drifted; report written to {html}").ConfigureAwait(false);
        return report.Drifted ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    /// <summary>Writes beside the target and renames, so a reader never sees half a report and a failure leaves none.</summary>
    private static async Task WriteAsync(FileInfo html, string page, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(html.DirectoryName ?? ".", $".{html.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(html.DirectoryName ?? ".");
            await File.WriteAllTextAsync(temporary, page, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, html.FullName, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new UsageException($"cannot write the report '{html}': {e.Message.TrimEnd('.')}. Pass --html with a file in a folder you can write to.");
        }
        catch (OperationCanceledException)
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder itself is what failed; there is nothing left to remove.
        }
    }
}
