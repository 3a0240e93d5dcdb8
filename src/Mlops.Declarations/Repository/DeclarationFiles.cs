using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Repository;

/// <summary>
/// The declaration files of a repository as read, before parsing: each file's text by repository-relative path,
/// and the findings of reading (too large, not UTF-8, unreadable). The same rules apply whether the bytes come from
/// disk (<see cref="RepositoryLoader"/>) or from a git tree (the server following a branch), so both read the same
/// files the same way; <see cref="Parse"/> then builds the <see cref="DeclarationSet"/> that <c>mlops validate</c> checks.
/// </summary>
public sealed class DeclarationFiles
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<KeyValuePair<string, string>> _texts = [];
    private readonly List<Diagnostic> _readErrors = [];

    /// <summary>The largest declaration file read, in bytes: four bytes for each character the YAML reader accepts.</summary>
    public static long MaxBytes => YamlDocumentReader.MaxCharacters * 4L;

    /// <summary>The files read, by repository-relative path (forward slashes), in the order added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Texts => _texts;

    /// <summary>The findings of reading, located at the start of each file.</summary>
    public IReadOnlyList<Diagnostic> ReadErrors => _readErrors;

    /// <summary>Whether a repository-relative path is a declaration file: a <c>.yaml</c> or <c>.yml</c> file anywhere under <c>features/</c>, <c>models/</c> or <c>environments/</c>.</summary>
    public static bool IsDeclaration(string relativePath) => RepositoryLayout.KindOf(relativePath) is not null;

    /// <summary>Whether a file of <paramref name="length"/> bytes may be read; when it may not, the finding (MLOPS0005) is recorded.</summary>
    /// <remarks>Callers check before reading, so a 50 MB file dropped into <c>models/</c> costs nothing.</remarks>
    public bool CheckSize(string relativePath, long length)
    {
        if (length <= MaxBytes)
        {
            return true;
        }

        _readErrors.Add(DiagnosticIds.FileTooLarge.At(SourceLocation.StartOf(relativePath),
            $"the file has {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {MaxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes a declaration may have. Keep data in data/ and declarations small."));
        return false;
    }

    /// <summary>Adds a file's bytes: UTF-8 (a byte order mark is dropped), or, when they are not UTF-8, the finding MLOPS0004.</summary>
    /// <param name="relativePath">The path from the repository root, with forward slashes.</param>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="count">How many of <paramref name="bytes"/> to read; all when negative.</param>
    public void Add(string relativePath, byte[] bytes, int count = -1)
    {
        var length = count < 0 ? bytes.Length : count;
        var start = length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        try
        {
            _texts.Add(new KeyValuePair<string, string>(relativePath, s_strictUtf8.GetString(bytes, start, length - start)));
        }
        catch (DecoderFallbackException)
        {
            _readErrors.Add(DiagnosticIds.BinaryFile.At(SourceLocation.StartOf(relativePath),
                "the file is not UTF-8 text, so it is not a YAML declaration. Save it as UTF-8, or move it out of the declarations folders."));
        }
    }

    /// <summary>Records that a file could not be read (MLOPS0001), with the reason.</summary>
    public void AddUnreadable(string relativePath, string reason) =>
        _readErrors.Add(DiagnosticIds.FileUnreadable.At(SourceLocation.StartOf(relativePath),
            $"the file cannot be read: {reason.TrimEnd('.')}. Check its permissions."));

    /// <summary>Whether a file at <paramref name="relativePath"/> was added or failed to read.</summary>
    public bool Contains(string relativePath)
    {
        foreach (var text in _texts)
        {
            if (text.Key == relativePath)
            {
                return true;
            }
        }

        foreach (var error in _readErrors)
        {
            if (error.Location.Path == relativePath)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses every file and checks the references between them, as <c>mlops validate</c> does.</summary>
    public DeclarationSet Parse() => DeclarationSet.Create(_texts, _readErrors);
}
