using Mlops.Declarations.Digests;

namespace Mlops.Runtime.Store;

/// <summary>
/// A bundle store in a folder: each object is the file <c>sha256/&lt;first 2 hex&gt;/&lt;other 62 hex&gt;</c> under
/// <see cref="Root"/>. A write goes to a file in <c>tmp/</c> under the root while it is hashed, is flushed to disk,
/// and is then renamed to its name, which the operating system does atomically: a crash or a cancelled write can
/// leave a stray file in <c>tmp/</c>, never a partial object under a valid name. Every read verifies the digest.
/// </summary>
/// <remarks>The default location is <c>.mlops/store</c> under the repository root; see <see cref="StoreLocation"/>.</remarks>
public sealed class LocalFolderStore : IBundleStore, IRawObjectReader
{
    /// <summary>The folder, under the root, that holds the objects.</summary>
    public const string ObjectsFolder = "sha256";

    /// <summary>The folder, under the root, that holds writes in progress. Its files are never objects.</summary>
    public const string TemporaryFolder = "tmp";

    /// <summary>Creates a store in <paramref name="root"/>; the folder is created by the first write.</summary>
    /// <param name="root">The store's folder; a relative path is taken relative to the current directory.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    public LocalFolderStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The store's folder, as a full path.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public string Location => Root;

    /// <summary>The file that holds (or would hold) the object named <paramref name="digest"/>.</summary>
    /// <param name="digest">A digest, <c>sha256:</c> followed by 64 lowercase hexadecimal digits.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public string GetObjectPath(string digest)
    {
        var hex = Sha256Digest.Hex(digest, nameof(digest), "bundle digest");
        return Path.Combine(Root, ObjectsFolder, hex[..2], hex[2..]);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// When the object is already present it is verified: the new file is discarded if the object is intact, and
    /// replaces it (again by an atomic rename) if it is corrupt.
    /// </remarks>
    public async Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var temporaryPath = await CreateTemporaryPathAsync(cancellationToken).ConfigureAwait(false);
        var renamed = false;
        try
        {
            string digest;
            var file = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                digest = await Sha256Digest.CopyAsync(content, file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var objectPath = GetObjectPath(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
            try
            {
                File.Move(temporaryPath, objectPath, overwrite: false);
                renamed = true;
            }
            catch (IOException) when (File.Exists(objectPath))
            {
                // Another write got there first (same bytes, by construction), or an old copy is damaged.
                if (!await IsIntactAsync(objectPath, digest, cancellationToken).ConfigureAwait(false))
                {
                    File.Move(temporaryPath, objectPath, overwrite: true);
                    renamed = true;
                }
            }

            return digest;
        }
        finally
        {
            if (!renamed)
            {
                TryDelete(temporaryPath);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default)
    {
        var path = GetObjectPath(digest);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(path));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The object is read once into a temporary file while it is hashed, and copied to
    /// <paramref name="destination"/> only when the digest matches: a corrupt object writes nothing there.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public async Task CopyToAsync(string digest, Stream destination, CancellationToken cancellationToken = default)
    {
        GetObjectPath(digest);
        ArgumentNullException.ThrowIfNull(destination);
        await HashingCopy.VerifiedCopyAsync(this, digest, destination, Location, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    async Task IRawObjectReader.ReadRawAsync(string digest, Func<Stream, Task> read, CancellationToken cancellationToken)
    {
        var path = GetObjectPath(digest);
        FileStream source;
        try
        {
            source = OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleNotFoundException(digest, Location);
        }

        await using (source.ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await read(source).ConfigureAwait(false);
        }
    }

    private async Task<string> CreateTemporaryPathAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root);

            // Bundles are bytes for the store, not for git, even when the store sits inside a checkout.
            await File.WriteAllTextAsync(Path.Combine(Root, ".gitignore"), "# Written by mlops: the bundle store, not for git.\n*\n", cancellationToken)
                .ConfigureAwait(false);
        }

        var folder = Path.Combine(Root, TemporaryFolder);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"{Guid.NewGuid():N}.tmp");
    }

    private static async Task<bool> IsIntactAsync(string path, string digest, CancellationToken cancellationToken)
    {
        try
        {
            var file = OpenRead(path);
            await using (file.ConfigureAwait(false))
            {
                return string.Equals(await Sha256Digest.OfAsync(file, cancellationToken).ConfigureAwait(false), digest, StringComparison.Ordinal);
            }
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A stray file in tmp/ is harmless: it is never read as an object.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
