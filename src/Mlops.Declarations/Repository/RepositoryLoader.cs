using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Repository;

/// <summary>Reads every declaration file of a repository from disk.</summary>
public static class RepositoryLoader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads and checks <c>features/</c>, <c>models/</c> and <c>environments/</c> under <paramref name="root"/>.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static async Task<DeclarationSet> LoadAsync(string root, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The repository folder '{root}' does not exist. Pass an existing folder with --repo.");
        }

        var files = new List<KeyValuePair<string, string>>();
        var readErrors = new List<Diagnostic>();
        foreach (var folder in new[] { RepositoryLayout.FeaturesFolder, RepositoryLayout.ModelsFolder, RepositoryLayout.EnvironmentsFolder })
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                var relative = RelativePath(root, file);
                if (RepositoryLayout.KindOf(relative) is null)
                {
                    continue;
                }

                var text = await ReadAsync(file, relative, readErrors, cancellationToken).ConfigureAwait(false);
                if (text is not null)
                {
                    files.Add(new KeyValuePair<string, string>(relative, text));
                }
            }
        }

        return DeclarationSet.Create(files, readErrors);
    }

    /// <summary>A path relative to the root with forward slashes, as findings print it.</summary>
    public static string RelativePath(string root, string path)
    {
        var fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(path);
        var relative = full.StartsWith(fullRoot, StringComparison.Ordinal) ? full.Substring(fullRoot.Length) : full;
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static async Task<string?> ReadAsync(string file, string relative, List<Diagnostic> errors, CancellationToken cancellationToken)
    {
        try
        {
            // Look at the size before reading, so a 50 MB file dropped into models/ costs nothing.
            var length = new FileInfo(file).Length;
            if (length > YamlDocumentReader.MaxCharacters * 4L)
            {
                errors.Add(DiagnosticIds.FileTooLarge.At(SourceLocation.StartOf(relative),
                    $"the file has {length.ToString("N0", CultureInfo.InvariantCulture)} bytes, more than the {(YamlDocumentReader.MaxCharacters * 4L).ToString("N0", CultureInfo.InvariantCulture)} bytes a declaration may have. Keep data in data/ and declarations small."));
                return null;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            var bytes = new byte[length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = await stream.ReadAsync(bytes, read, bytes.Length - read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var start = read >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            return s_strictUtf8.GetString(bytes, start, read - start);
        }
        catch (DecoderFallbackException)
        {
            errors.Add(DiagnosticIds.BinaryFile.At(SourceLocation.StartOf(relative),
                "the file is not UTF-8 text, so it is not a YAML declaration. Save it as UTF-8, or move it out of the declarations folders."));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(DiagnosticIds.FileUnreadable.At(SourceLocation.StartOf(relative),
                $"the file cannot be read: {e.Message.TrimEnd('.')}. Check its permissions."));
            return null;
        }
    }
}
