namespace Mlops.Pipeline.Registry;

/// <summary>Why a registry operation was refused.</summary>
public enum RegistryError
{
    /// <summary>The folder is not inside a git repository.</summary>
    NotARepository,

    /// <summary>The registration's fields are malformed (every problem is listed in the message).</summary>
    InvalidRegistration,

    /// <summary>The commit to tag does not exist.</summary>
    CommitNotFound,

    /// <summary>No tag <c>MODEL@vN</c> exists.</summary>
    NotRegistered,

    /// <summary>A tag named like a version exists but is not one mlops can read (lightweight, or its message lacks the bundle).</summary>
    MalformedTag,

    /// <summary>Another registration created the same version first.</summary>
    VersionTaken,

    /// <summary>The tag's bundle is not in the store.</summary>
    BundleMissing,

    /// <summary>No git identity is given or configured.</summary>
    NoIdentity,

    /// <summary>The remote does not exist, cannot be reached, or refused the tag.</summary>
    PushFailed,
}

/// <summary>A registry operation was refused; the message says what, why and what to do.</summary>
/// <param name="error">The kind of refusal.</param>
/// <param name="message">What happened, why, and what to do.</param>
/// <param name="inner">The git error behind it, if any.</param>
public sealed class RegistryException(RegistryError error, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The kind of refusal.</summary>
    public RegistryError Error { get; } = error;
}
