namespace Mlops.Runtime.Store;

/// <summary>
/// The store itself cannot be used: the endpoint does not answer, the bucket does not exist, or the credentials are
/// refused. Unlike <see cref="BundleNotFoundException"/> and <see cref="BundleCorruptException"/> this says nothing
/// about the bundle. The message names the store and says what to check.
/// </summary>
/// <param name="message">What happened, why, and what to do.</param>
/// <param name="innerException">The underlying error, if any.</param>
public sealed class BundleStoreException(string message, Exception? innerException = null) : Exception(message, innerException);
