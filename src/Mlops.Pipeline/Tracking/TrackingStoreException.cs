namespace Mlops.Pipeline.Tracking;

/// <summary>The run store cannot be used: the file is not a tracking database, or a newer mlops wrote it. The message says what to do.</summary>
/// <param name="message">What happened, why, and what to do.</param>
/// <param name="innerException">The underlying error, if any.</param>
public sealed class TrackingStoreException(string message, Exception? innerException = null) : Exception(message, innerException);
