using System.CommandLine;

namespace Mlops.Cli.Commands.Data;

/// <summary><c>mlops data</c>: data files kept in the store instead of git (push, pull).</summary>
internal static class DataCommand
{
    public static Command Create(CliContext context) =>
        new("data", "Keep data files in the store instead of git: push a file by its digest, pull it back (docs/store.md).")
        {
            DataPushCommand.Create(context),
            DataPullCommand.Create(context),
        };
}
