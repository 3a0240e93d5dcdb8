using System.CommandLine;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands;

/// <summary>The <c>--store</c> option of commands that read or write bundles.</summary>
internal static class StoreOption
{
    public static Option<string> Create() => new("--store")
    {
        Description = $"The bundle store: a folder or s3://BUCKET/PREFIX?endpoint=URL. Defaults to ${StoreLocation.EnvironmentVariable}, else {StoreLocation.DefaultValue}.",
    };

    /// <summary>Opens the store the option or the environment names.</summary>
    /// <exception cref="UsageException">The location is malformed.</exception>
    public static IBundleStore Open(string root, string? value)
    {
        try
        {
            return BundleStoreFactory.Create(root, value);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
