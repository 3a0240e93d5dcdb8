using System.CommandLine;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.Data;
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
        Description = TrackingLocation.OptionDescription,
    };

    public Option<bool> Force { get; } = new("--force") { Description = "Do the work even when a cached result matches." };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON for machines." };

    /// <summary>The store bundles go to and data kept in the store comes from (a model declaring its data by digest alone).</summary>
    public Option<string> Store { get; } = StoreOption.Create();

    public Command AddTo(Command command, bool json = true)
    {
        command.Arguments.Add(Model);
        command.Options.Add(Repo);
        command.Options.Add(TrackingDb);
        command.Options.Add(Force);
        command.Options.Add(Store);
        if (json)
        {
            command.Options.Add(Json);
        }

        return command;
    }

    /// <summary>Validates the repository and opens its run store.</summary>
    /// <exception cref="UsageException">The repository folder does not exist.</exception>
    public async Task<Workspace> OpenAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var root = RootOf(parse);
        return await Workspace.OpenAsync(root, parse.GetValue(TrackingDb), context.Time, DataOf(parse, root), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The data cache of the repository, fetching from the store <c>--store</c> (else MLOPS_STORE, else the default) names.</summary>
    public DataCache DataOf(ParseResult parse, string root) => new(root, parse.GetValue(Store));

    /// <summary>The full path of the repository root the options name.</summary>
    /// <exception cref="UsageException">The folder does not exist.</exception>
    public string RootOf(ParseResult parse) => PromotionErrors.Root(parse.GetValue(Repo));
}
