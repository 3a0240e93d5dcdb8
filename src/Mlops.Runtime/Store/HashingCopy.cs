using System.Buffers;
using System.Security.Cryptography;

namespace Mlops.Runtime.Store;

/// <summary>Stream copies that hash what passes through them, shared by the store backends.</summary>
internal static class HashingCopy
{
    private const int BufferSize = 81920;

    /// <summary>Copies <paramref name="source"/> from its position to its end into <paramref name="destination"/> and returns the digest of the bytes copied.</summary>
    public static async Task<string> CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return BundleDigest.FromHash(hash);
    }

    /// <summary>The digest of <paramref name="source"/> from its position to its end.</summary>
    public static Task<string> HashAsync(Stream source, CancellationToken cancellationToken) =>
        CopyAsync(source, Stream.Null, cancellationToken);

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
            var actual = await CopyAsync(source, spool, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(actual, digest, StringComparison.Ordinal))
            {
                throw new BundleCorruptException(digest, actual, location);
            }

            spool.Position = 0;
            await spool.CopyToAsync(destination, BufferSize, cancellationToken).ConfigureAwait(false);
        }
    }
}
