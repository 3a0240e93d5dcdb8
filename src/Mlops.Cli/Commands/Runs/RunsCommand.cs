using System.CommandLine;

namespace Mlops.Cli.Commands.Runs;

/// <summary><c>mlops runs</c>: the recorded training runs (list, show, compare).</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext context) =>
        new("runs", "List, show and compare recorded training runs (.mlops/tracking.db; MLOPS_TRACKING_DB or --tracking-db to change).")
        {
            RunsListCommand.Create(context),
            RunsShowCommand.Create(context),
            RunsCompareCommand.Create(context),
        };
}
