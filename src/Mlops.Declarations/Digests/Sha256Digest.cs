using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Mlops.Declarations.Digests;

/// <summary>
/// The one owner of content digests: <c>sha256:</c> followed by the 64 lowercase hexadecimal digits of the
/// SHA-256 of some bytes. Bundles are addressed by it in the store, data files and feature set schemas are pinned
/// by it in declarations, and run cache keys are built with it. It hashes bytes, text, streams and files, and
/// formats, checks and parses the written form.
/// </summary>
/// <remarks>
/// It lives in the declarations assembly (netstandard2.0) so the feature set schema digest and the runtime's
/// store share it; everything above references this assembly.
/// </remarks>
public static class Sha256Digest
{
    /// <summary>The algorithm prefix every digest starts with.</summary>
    public const string Prefix = "sha256:";

    /// <summary>The number of hexadecimal digits after the prefix.</summary>
    public const int HexLength = 64;

    /// <summary>The written form as a regular expression (without anchors), shared with the JSON Schemas.</summary>
    public const string Pattern = "sha256:[0-9a-f]{64}";

    /// <summary>The written form for messages: what a user should paste.</summary>
    public const string FormDescription = "'sha256:' followed by 64 lowercase hex digits";

    private const int BufferSize = 81920;
    private const int ShortHexLength = 12;
    private const string HexDigits = "0123456789abcdef";

    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The digest of <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    public static string Of(byte[] bytes)
    {
        if (bytes is null)
        {
            throw new ArgumentNullException(nameof(bytes));
        }

        using var sha = SHA256.Create();
        return FromHash(sha.ComputeHash(bytes));
    }

    /// <summary>The digest of <paramref name="text"/> encoded as UTF-8 without a byte order mark.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static string OfText(string text) =>
        Of(s_utf8.GetBytes(text ?? throw new ArgumentNullException(nameof(text))));

    /// <summary>The digest of <paramref name="source"/> from its position to its end.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static Task<string> OfAsync(Stream source, CancellationToken cancellationToken = default) =>
        CopyAsync(source, null, cancellationToken);

    /// <summary>The digest of the file at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static async Task<string> OfFileAsync(string path, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return await CopyAsync(stream, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies <paramref name="source"/> from its position to its end into <paramref name="destination"/> and returns
    /// the digest of the bytes copied: one pass hashes what is written, so nothing is read twice.
    /// </summary>
    /// <param name="source">What to read.</param>
    /// <param name="destination">Where to write; null only hashes.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static async Task<string> CopyAsync(Stream source, Stream? destination, CancellationToken cancellationToken = default)
    {
        if (source is null)
        {
            throw new ArgumentNullException(nameof(source));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            if (destination is not null)
            {
                await destination.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
            }
        }

        return FromHash(hash.GetHashAndReset());
    }

    /// <summary>The written form of a finished SHA-256 hash (32 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="hash"/> is not 32 bytes long.</exception>
    public static string FromHash(byte[] hash)
    {
        if (hash is null || hash.Length != HexLength / 2)
        {
            throw new ArgumentException($"A SHA-256 hash has {HexLength / 2} bytes, not {hash?.Length ?? 0}.", nameof(hash));
        }

        var text = new char[Prefix.Length + HexLength];
        Prefix.CopyTo(0, text, 0, Prefix.Length);
        for (var i = 0; i < hash.Length; i++)
        {
            text[Prefix.Length + (2 * i)] = HexDigits[hash[i] >> 4];
            text[Prefix.Length + (2 * i) + 1] = HexDigits[hash[i] & 0xF];
        }

        return new string(text);
    }

    /// <summary>Whether <paramref name="digest"/> is <c>sha256:</c> followed by 64 lowercase hexadecimal digits (nothing else: no spaces, no uppercase).</summary>
    /// <param name="digest">The text to check; null is not a digest.</param>
    public static bool IsValid(string? digest)
    {
        if (digest is null || digest.Length != Prefix.Length + HexLength || !digest.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = Prefix.Length; i < digest.Length; i++)
        {
            if (HexValue(digest[i]) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses the written form into the 32 bytes of the hash; false when <paramref name="digest"/> is not valid.</summary>
    public static bool TryParse(string? digest, out byte[] hash)
    {
        hash = [];
        if (!IsValid(digest))
        {
            return false;
        }

        var bytes = new byte[HexLength / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((HexValue(digest![Prefix.Length + (2 * i)]) << 4) | HexValue(digest[Prefix.Length + (2 * i) + 1]));
        }

        hash = bytes;
        return true;
    }

    /// <summary>The 64 hexadecimal digits of a digest, after checking its form (for file names and object keys).</summary>
    /// <param name="digest">The digest to check.</param>
    /// <param name="paramName">The caller's parameter name, for the exception.</param>
    /// <param name="kind">What the digest names, for the message: <c>bundle digest</c>, <c>data digest</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not valid; the message quotes it and says the expected form.</exception>
    public static string Hex(string? digest, string paramName = "digest", string kind = "digest")
    {
        if (!IsValid(digest))
        {
            throw new ArgumentException(
                $"'{digest}' is not a {kind}: a digest is '{Prefix}' followed by {HexLength} lowercase hexadecimal digits (the form mlops package prints). "
                + "Copy the digest from the package output or the environment file.",
                paramName);
        }

        return digest!.Substring(Prefix.Length);
    }

    /// <summary><c>sha256:</c> and the first 12 hex digits, for subjects and tables; any other text is returned as it is.</summary>
    public static string Short(string digest) =>
        IsValid(digest) ? digest.Substring(0, Prefix.Length + ShortHexLength) : digest;

    // Lowercase only: the written form is canonical, so two spellings of one hash never both occur.
    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
