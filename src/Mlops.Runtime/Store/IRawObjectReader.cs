namespace Mlops.Runtime.Store;

/// <summary>
/// A store that can hand out an object's bytes as they arrive, unverified, so a caller that hashes on the way
/// (<see cref="HashingCopy.VerifiedFileCopyAsync"/>) writes each byte once instead of through a spool.
/// </summary>
internal interface IRawObjectReader
{
    /// <summary>Calls <paramref name="read"/> with the object's bytes; the caller must verify them.</summary>
    /// <exception cref="BundleNotFoundException">No object has this digest.</exception>
    Task ReadRawAsync(string digest, Func<Stream, Task> read, CancellationToken cancellationToken);
}
