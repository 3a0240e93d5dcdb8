using System.CommandLine;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands;

/// <summary>The options of every stage command that works on a validated repository: MODEL, --repo, --tracking-db, --force, --json.</summary>
internal sealed class WorkspaceOptions
{
    public Argument<string?> Model { get; } = new("MODEL") { Description = "The model; every model when left out.", Arity = ArgumentArity.ZeroOrOne };

    public Option<DirectoryInfo> Repo { get; } = new("--repo") { Description = "Repository root; defaults to the current folder." };

    public Option<string> TrackingDb { get; } = new("--tracking-db")
    {
        Description = $"The run store; defaults to ${TrackingLocation.EnvironmentVariable}, else {TrackingLocation.DefaultRelativePath} under the repository root.",
    };

    public Option<bool> Force { get; } = new("--force") { Description = "Do the work even when a cached result matches." };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON for machines." };

    public Command AddTo(Command command)
    {
        command.Arguments.Add(Model);
        command.Options.Add(Repo);
        command.Options.Add(TrackingDb);
        command.Options.Add(Force);
        command.Options.Add(Json);
        return command;
    }

    /// <summary>Validates the repository and opens its run store.</summary>
    /// <exception cref="UsageException">The repository folder does not exist.</exception>
    public async Task<Workspace> OpenAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var repo = parse.GetValue(Repo) ?? new DirectoryInfo(".");
        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        return await Workspace.OpenAsync(repo.FullName, parse.GetValue(TrackingDb), context.Time, cancellationToken).ConfigureAwait(false);
    }
}
