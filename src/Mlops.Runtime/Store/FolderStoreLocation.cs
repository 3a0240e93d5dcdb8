namespace Mlops.Runtime.Store;

/// <summary>A bundle store in a folder.</summary>
/// <param name="Path">The folder, as a full path.</param>
public sealed record FolderStoreLocation(string Path) : StoreLocation
{
    /// <summary>Creates a <see cref="LocalFolderStore"/> in <see cref="Path"/>.</summary>
    public override IBundleStore CreateStore() => new LocalFolderStore(Path);

    /// <inheritdoc/>
    public override StoreLocation ForData() => new FolderStoreLocation(System.IO.Path.Combine(Path, DataObjectStore.Folder));

    /// <summary>The folder's path.</summary>
    public override string ToString() => Path;
}
