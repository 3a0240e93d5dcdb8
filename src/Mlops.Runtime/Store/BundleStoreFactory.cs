namespace Mlops.Runtime.Store;

/// <summary>Opens the bundle store a repository is configured for.</summary>
public static class BundleStoreFactory
{
    /// <summary>
    /// The store at <paramref name="explicitValue"/> when given (the CLI's <c>--store</c>), else at the
    /// <c>MLOPS_STORE</c> environment variable when set, else the folder <c>.mlops/store</c> under the root.
    /// An <see cref="S3BundleStore"/> should be disposed when done.
    /// </summary>
    /// <param name="repositoryRoot">The repository root; relative folder paths are taken relative to it.</param>
    /// <param name="explicitValue">A location given on the command line, or null.</param>
    /// <exception cref="ArgumentException">The location is not valid; the message lists the accepted forms.</exception>
    public static IBundleStore Create(string repositoryRoot, string? explicitValue = null) =>
        StoreLocation.Resolve(repositoryRoot, explicitValue).CreateStore();

    /// <summary>The store at <paramref name="location"/>.</summary>
    /// <param name="location">A parsed location.</param>
    public static IBundleStore Create(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.CreateStore();
    }
}
