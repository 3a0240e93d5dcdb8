using Mlops.Declarations.Digests;

namespace Mlops.Runtime.Store;

/// <summary>Spooled, verified copies shared by the store backends (the hashing itself is <see cref="Sha256Digest"/>).</summary>
internal static class HashingCopy
{
    private const int BufferSize = 81920;

    /// <summary>
    /// A new temporary file in the system temp folder, deleted when closed; the spool of a download that is
    /// verified before any byte reaches its destination, or of a non-seekable upload that is hashed before it is sent.
    /// </summary>
    public static FileStream CreateSpool(string? folder = null)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            // Bundles can hold private models: the spool is readable by its owner only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(Path.Combine(folder ?? Path.GetTempPath(), $"mlops-bundle-{Guid.NewGuid():N}.tmp"), options);
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end into a temporary file while hashing, compares the digest with
    /// <paramref name="digest"/>, and only then copies the verified bytes to <paramref name="destination"/>:
    /// a corrupt object never reaches the destination.
    /// </summary>
    /// <exception cref="BundleCorruptException">The bytes do not hash to <paramref name="digest"/>; nothing was written to the destination.</exception>
    public static async Task VerifiedCopyAsync(Stream source, string digest, Stream destination, string location, CancellationToken cancellationToken)
    {
        var spool = CreateSpool();
        await using (spool.ConfigureAwait(false))
        {
            var actual = await Sha256Digest.CopyAsync(source, spool, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, digest, StringComparison.Ordinal))
            {
                throw new BundleCorruptException(digest, actual, location);
            }

            spool.Position = 0;
            await spool.CopyToAsync(destination, BufferSize, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The object named <paramref name="digest"/>, read from <paramref name="store"/> and copied as <see cref="VerifiedCopyAsync(Stream, string, Stream, string, CancellationToken)"/> does.</summary>
    /// <exception cref="BundleNotFoundException">No object has this digest.</exception>
    /// <exception cref="BundleCorruptException">The bytes do not hash to <paramref name="digest"/>; nothing was written to the destination.</exception>
    public static Task VerifiedCopyAsync(IRawObjectReader store, string digest, Stream destination, string location, CancellationToken cancellationToken) =>
        store.ReadRawAsync(digest, source => VerifiedCopyAsync(source, digest, destination, location, cancellationToken), cancellationToken);

    /// <summary>
    /// Writes <paramref name="source"/> to a new file beside <paramref name="path"/> while hashing it, and renames
    /// that file to <paramref name="path"/> (replacing what is there) only when the bytes hash to
    /// <paramref name="digest"/>: memory stays at one buffer whatever the size, and a reader of
    /// <paramref name="path"/> never sees a partial or corrupt file.
    /// </summary>
    /// <exception cref="BundleCorruptException">The bytes do not hash to <paramref name="digest"/>; the new file was removed and <paramref name="path"/> is untouched.</exception>
    public static async Task VerifiedFileCopyAsync(Stream source, string digest, string path, string location, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        var moved = false;
        try
        {
            string actual;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                actual = await Sha256Digest.CopyAsync(source, file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            if (!string.Equals(actual, digest, StringComparison.Ordinal))
            {
                throw new BundleCorruptException(digest, actual, location);
            }

            File.Move(temporary, full, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temporary);
            }
        }
    }
}
