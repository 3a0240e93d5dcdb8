using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Data;

/// <summary><c>mlops data push FILE</c>: store a data file by its digest and print the <c>data:</c> lines that declare it.</summary>
internal static class DataPushCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The data file (CSV) to store." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root (a relative --store is taken from it); defaults to the current folder." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Write the digest, size and store as JSON." };
        var command = new Command("push", "Store a data file in the store by its sha256 (nothing is sent when it is there) and print the 'data:' lines that declare it without a path.")
        {
            file, repo, store, json,
        };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetValue(file)!, parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(store), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, FileInfo file, DirectoryInfo repo, string? storeValue, bool json, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new UsageException($"the data file '{file.FullName}' does not exist. Pass the path of the file to store.");
        }

        using var objects = DataStores.Open(repo, storeValue);
        string digest;
        try
        {
            digest = await objects.PushAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DataObjectException or BundleStoreException)
        {
            throw new UsageException(e.Message);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("digest", digest);
                writer.WriteNumber("bytes", file.Length);
                writer.WriteString("store", objects.Location);
                writer.WriteEndObject();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        await context.Out.WriteLineAsync(digest).ConfigureAwait(false);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"# {file.Name}: {file.Length:N0} bytes in {objects.Location}. Declare it in models/MODEL.yaml without a path (training fetches it by digest):")).ConfigureAwait(false);
        await context.Out.WriteLineAsync("data:").ConfigureAwait(false);
        await context.Out.WriteLineAsync($"  digest: {digest}").ConfigureAwait(false);
        await context.Out.WriteLineAsync("  split: { holdout: 0.2, seed: 42 }").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
