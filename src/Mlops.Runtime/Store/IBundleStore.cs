namespace Mlops.Runtime.Store;

/// <summary>
/// A content-addressed store of bundles: an object's name is the sha256 of its bytes
/// (<c>sha256:&lt;64 hex&gt;</c>). Writes are atomic (a crash never leaves a partial object under a
/// valid name) and every read verifies the digest, so what is served is what was gated.
/// </summary>
public interface IBundleStore
{
    /// <summary>A human-readable location, for messages: a folder path or an s3:// URL.</summary>
    string Location { get; }

    /// <summary>Stores the content and returns its digest. Storing bytes that are already present is a no-op.</summary>
    /// <param name="content">The bytes to store, read to the end.</param>
    /// <param name="cancellationToken">Stops the write; nothing is left under the digest.</param>
    Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Whether an object with this digest is present (not verified).</summary>
    Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default);

    /// <summary>Copies the object to <paramref name="destination"/> and verifies its digest on the way.</summary>
    /// <exception cref="BundleNotFoundException">No object has this digest.</exception>
    /// <exception cref="BundleCorruptException">The stored bytes do not hash to the digest.</exception>
    Task CopyToAsync(string digest, Stream destination, CancellationToken cancellationToken = default);
}

/// <summary>No object with the digest is in the store.</summary>
public sealed class BundleNotFoundException(string digest, string location)
    : Exception($"bundle {digest} is not in the store at {location}. Package and push it again (mlops package), or correct the digest.")
{
    /// <summary>The digest asked for.</summary>
    public string Digest { get; } = digest;
}

/// <summary>The stored bytes do not hash to their name: tampered or damaged.</summary>
public sealed class BundleCorruptException(string digest, string actual, string location)
    : Exception($"bundle {digest} in the store at {location} is corrupt: its bytes hash to {actual}. It was refused; package and push it again.")
{
    /// <summary>The digest asked for.</summary>
    public string Digest { get; } = digest;

    /// <summary>What the bytes hash to.</summary>
    public string Actual { get; } = actual;
}
