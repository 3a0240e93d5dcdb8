using System.CommandLine;

namespace Mlops.Cli.Commands.Report;

/// <summary><c>mlops report</c>: reports written as files for people (<c>mlops report drift</c>).</summary>
internal static class ReportCommand
{
    public static Command Create(CliContext context) =>
        new("report", "Write a report as a file for people to read: 'drift' writes one self-contained HTML page.")
        {
            ReportDriftCommand.Create(context),
        };
}
