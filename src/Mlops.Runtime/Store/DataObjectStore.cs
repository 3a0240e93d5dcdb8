using Mlops.Declarations.Digests;

namespace Mlops.Runtime.Store;

/// <summary>
/// Data files kept in the bundle store instead of git (<c>mlops data push</c> and <c>mlops data pull</c>): each is
/// an object named by the sha256 of its bytes under <see cref="Folder"/> beside the bundles, written only when
/// absent (an atomic rename in a folder, a conditional PUT in S3) and verified on every read. Both ways stream in
/// fixed-size buffers and hash on the way, so memory stays flat for files larger than memory.
/// </summary>
/// <remarks>Dispose it to release an S3 store's HTTP client.</remarks>
public sealed class DataObjectStore : IDisposable
{
    /// <summary>The folder (or key prefix) under the store's location that holds data objects.</summary>
    public const string Folder = "data";

    private readonly IBundleStore _store;

    /// <summary>Opens the data objects of the store at <paramref name="location"/> (the location bundles use); nothing is sent until the first call.</summary>
    /// <param name="location">The repository's store location, as <see cref="StoreLocation.Resolve(string, string?)"/> gives it.</param>
    public DataObjectStore(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        _store = location.ForData().CreateStore();
    }

    /// <summary>Where the data objects are, for messages: a folder path or an s3:// URL.</summary>
    public string Location => _store.Location;

    /// <summary>Stores the file at <paramref name="path"/> and returns its digest; pushing a file already there sends nothing new.</summary>
    /// <param name="path">The file to store.</param>
    /// <param name="cancellationToken">Stops the write; nothing is left under the digest.</param>
    /// <exception cref="DataObjectException">The file does not exist or cannot be read.</exception>
    /// <exception cref="BundleStoreException">The store cannot be reached or refuses the write.</exception>
    public async Task<string> PushAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataObjectException($"cannot read '{path}': {e.Message} Pass the path of an existing data file.", null, e);
        }

        await using (file.ConfigureAwait(false))
        {
            return await _store.PutAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the store holds an object with this digest (not verified).</summary>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default) => _store.ExistsAsync(digest, cancellationToken);

    /// <summary>
    /// Writes the object named <paramref name="digest"/> to <paramref name="path"/> (replacing a file there): the
    /// bytes go to a temporary file beside it while they are hashed, and it is renamed only when they match.
    /// </summary>
    /// <param name="digest">The data file's digest, <c>sha256:</c> followed by 64 lowercase hex digits.</param>
    /// <param name="path">Where to write it; its folder is created.</param>
    /// <param name="cancellationToken">Stops the read; nothing is left at <paramref name="path"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    /// <exception cref="DataObjectException">No object has this digest, or its bytes do not match it (nothing was written).</exception>
    /// <exception cref="BundleStoreException">The store cannot be reached or refuses the read.</exception>
    public async Task PullAsync(string digest, string path, CancellationToken cancellationToken = default)
    {
        Sha256Digest.Hex(digest, nameof(digest), "data digest");
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            await ((IRawObjectReader)_store).ReadRawAsync(
                digest,
                source => HashingCopy.VerifiedFileCopyAsync(source, digest, path, Location, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (BundleNotFoundException e)
        {
            throw new DataObjectException(
                $"data {digest} is not in the store at {Location}. Push the file there with 'mlops data push FILE', or point --store (or {StoreLocation.EnvironmentVariable}) at the store that holds it.",
                digest, e);
        }
        catch (BundleCorruptException e)
        {
            throw new DataObjectException(
                $"data {digest} in the store at {Location} is corrupt: its bytes hash to {e.Actual}. It was refused and nothing was written; push the original file again with 'mlops data push FILE'.",
                digest, e);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => (_store as IDisposable)?.Dispose();
}

/// <summary>A data object cannot be stored or fetched: missing, corrupt, or its file unreadable. The message says what to do.</summary>
/// <param name="message">What happened, why, and what to do.</param>
/// <param name="digest">The digest concerned, when there is one.</param>
/// <param name="innerException">The underlying error.</param>
public sealed class DataObjectException(string message, string? digest, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The digest concerned, or null.</summary>
    public string? Digest { get; } = digest;
}
