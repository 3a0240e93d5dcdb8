using System.CommandLine;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Data;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Data;

/// <summary><c>mlops data pull DIGEST|--model M</c>: fetch a data file from the store, verified, into the cache or a file.</summary>
internal static class DataPullCommand
{
    public static Command Create(CliContext context)
    {
        var digest = new Argument<string?>("DIGEST") { Description = "The data file's digest, sha256:<64 hex>; or pass --model.", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string>("--model") { Description = "Pull the data models/MODEL.yaml declares." };
        var output = new Option<FileInfo>("--output", "-o") { Description = $"Where to write the file (replaced if there); defaults to the cache training reads, {DataCache.DefaultFolder}/<hex>." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var store = StoreOption.Create();
        var command = new Command("pull", "Fetch a data file from the store by its digest, verifying it as it streams; a file is written only when its bytes match.")
        {
            digest, model, output, repo, store,
        };
        command.SetAction((parse, ct) => RunAsync(
            context, parse.GetValue(digest), parse.GetValue(model), parse.GetValue(output), parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(store), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? digest, string? model, FileInfo? output, DirectoryInfo repo, string? storeValue, CancellationToken cancellationToken)
    {
        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        if ((digest is null) == (model is null))
        {
            throw new UsageException("say which data to pull: pass its DIGEST, or --model MODEL for the data a model declares (not both).");
        }

        digest ??= await DigestOfAsync(repo.FullName, model!, cancellationToken).ConfigureAwait(false);
        if (!Sha256Digest.IsValid(digest))
        {
            throw new UsageException($"'{digest}' is not a data digest: it is {Sha256Digest.FormDescription}, as 'mlops data push' prints it.");
        }

        var path = output?.FullName ?? new DataCache(repo.FullName, storeValue).PathOf(digest);
        using var objects = DataStores.Open(repo, storeValue);
        try
        {
            await objects.PullAsync(digest, path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DataObjectException or BundleStoreException)
        {
            throw new UsageException(e.Message);
        }

        await context.Out.WriteLineAsync($"pulled {digest} from {objects.Location} to {RepositoryLoader.RelativePath(repo.FullName, path)}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<string> DigestOfAsync(string root, string name, CancellationToken cancellationToken)
    {
        var declarations = await RepositoryLoader.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        var model = declarations.Models.FirstOrDefault(m => m.Value.Name == name);
        if (model is null)
        {
            var suggestion = Suggestions.Nearest(name, declarations.Models.Select(m => m.Value.Name));
            throw new UsageException($"no model is named '{name}' in models/." + (suggestion is null ? " Run 'mlops validate' to list what is declared." : $" Did you mean '{suggestion}'?"));
        }

        return model.Value.Data.Digest;
    }
}
