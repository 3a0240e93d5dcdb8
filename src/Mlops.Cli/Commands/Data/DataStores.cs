using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Data;

/// <summary>Opens the data objects of the store <c>--store</c>, <c>MLOPS_STORE</c> or the default names.</summary>
internal static class DataStores
{
    /// <exception cref="UsageException">The location is malformed.</exception>
    public static DataObjectStore Open(DirectoryInfo repo, string? value)
    {
        try
        {
            return new DataObjectStore(StoreLocation.Resolve(repo.FullName, value));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
