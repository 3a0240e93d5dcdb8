using System.Buffers;
using System.Security.Cryptography;

namespace Mlops.Runtime.Store;

/// <summary>
/// The name of a bundle in a store: <c>sha256:</c> followed by the 64 lowercase hexadecimal digits of the
/// SHA-256 of its bytes, the form <c>mlops package</c> prints and environment files pin.
/// </summary>
public static class BundleDigest
{
    /// <summary>The algorithm prefix every digest starts with.</summary>
    public const string Prefix = "sha256:";

    /// <summary>The number of hexadecimal digits after the prefix.</summary>
    public const int HexLength = 64;

    private static readonly SearchValues<char> s_lowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Whether <paramref name="digest"/> is <c>sha256:</c> followed by 64 lowercase hexadecimal digits.</summary>
    /// <param name="digest">The text to check; null is not a digest.</param>
    public static bool IsValid(string? digest) =>
        digest is not null
        && digest.Length == Prefix.Length + HexLength
        && digest.StartsWith(Prefix, StringComparison.Ordinal)
        && digest.AsSpan(Prefix.Length).ContainsAnyExcept(s_lowercaseHex) is false;

    /// <summary>The 64 hexadecimal digits of a digest, after checking its form.</summary>
    /// <param name="digest">The digest to check.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest; the message quotes it and says the expected form.</exception>
    internal static string GetHex(string? digest, string paramName = "digest")
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException(
                $"'{digest}' is not a bundle digest: a digest is '{Prefix}' followed by {HexLength} lowercase hexadecimal digits "
                + "(the form mlops package prints). Copy the digest from the package output or the environment file.",
                paramName);
        }

        return digest![Prefix.Length..];
    }

    /// <summary>The digest of a finished SHA-256 hash.</summary>
    internal static string FromHash(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);

    /// <summary>The digest of a finished incremental SHA-256 hash.</summary>
    internal static string FromHash(IncrementalHash hash) => FromHash(hash.GetHashAndReset());
}
