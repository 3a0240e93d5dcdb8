namespace Mlops.Runtime.Store;

/// <summary>A bundle store in a folder.</summary>
/// <param name="Path">The folder, as a full path.</param>
public sealed record FolderStoreLocation(string Path) : StoreLocation
{
    /// <summary>Creates a <see cref="LocalFolderStore"/> in <see cref="Path"/>.</summary>
    public override IBundleStore CreateStore() => new LocalFolderStore(Path);

    /// <summary>The folder's path.</summary>
    public override string ToString() => Path;
}
