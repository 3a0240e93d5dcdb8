using System.CommandLine;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary>The options every <c>runs</c> subcommand shares, and how they open the run store.</summary>
internal sealed class RunStoreOptions
{
    public Option<DirectoryInfo> Repo { get; } = new("--repo") { Description = "Repository root; defaults to the current folder." };

    public Option<string> TrackingDb { get; } = new("--tracking-db")
    {
        Description = TrackingLocation.OptionDescription,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON for machines instead of tables." };

    public void AddTo(Command command)
    {
        command.Options.Add(Repo);
        command.Options.Add(TrackingDb);
        command.Options.Add(Json);
    }

    /// <summary>The database file the parsed options name.</summary>
    /// <exception cref="UsageException">The repository folder does not exist.</exception>
    public string ResolvePath(ParseResult parse)
    {
        var repo = parse.GetValue(Repo) ?? new DirectoryInfo(".");
        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        return TrackingLocation.Resolve(repo.FullName, parse.GetValue(TrackingDb));
    }

    /// <summary>Opens an existing run store; null when the file does not exist (no run was ever recorded there).</summary>
    /// <exception cref="UsageException">The file is not a run store, or the PostgreSQL server cannot be reached.</exception>
    public static async Task<RunStore?> OpenExistingAsync(string path, CliContext context, CancellationToken cancellationToken)
    {
        if (!TrackingLocation.MayExist(path))
        {
            return null;
        }

        try
        {
            return await RunStore.OpenAsync(path, context.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TrackingStoreException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Resolves a run reference, turning "not found" into a usage error that says what to run.</summary>
    /// <exception cref="UsageException">Nothing or more than one run matches.</exception>
    public static async Task<Run> ResolveAsync(RunStore store, string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (RunNotFoundException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The error for show and compare when no store exists.</summary>
    public static UsageException NoStore(string path) =>
        new($"no runs are recorded: the run store '{TrackingLocation.Display(path)}' does not exist. Train a model with 'mlops train' first, "
            + $"or point --tracking-db or {TrackingLocation.EnvironmentVariable} at an existing run store.");
}
