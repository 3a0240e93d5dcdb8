using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Mlops.Declarations.Repository;

/// <summary>Reads every declaration file of a repository from disk.</summary>
public static class RepositoryLoader
{
    /// <summary>Loads and checks <c>features/</c>, <c>models/</c> and <c>environments/</c> under <paramref name="root"/>.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static async Task<DeclarationSet> LoadAsync(string root, CancellationToken cancellationToken = default) =>
        (await ReadAsync(root, cancellationToken).ConfigureAwait(false)).Parse();

    /// <summary>
    /// Reads the declaration files (<c>.yaml</c> and <c>.yml</c>, subfolders included) of <c>features/</c>,
    /// <c>models/</c> and <c>environments/</c> under <paramref name="root"/>, in ordinal path order, without parsing them.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static async Task<DeclarationFiles> ReadAsync(string root, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The repository folder '{root}' does not exist. Pass an existing folder with --repo.");
        }

        var files = new DeclarationFiles();
        foreach (var folder in RepositoryLayout.Folders)
        {
            var directory = Path.Combine(root, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal))
            {
                var relative = RelativePath(root, file);
                if (DeclarationFiles.IsDeclaration(relative))
                {
                    await ReadAsync(file, relative, files, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return files;
    }

    /// <summary>A path relative to the root with forward slashes, as findings print it.</summary>
    public static string RelativePath(string root, string path)
    {
        var fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(path);
        var relative = full.StartsWith(fullRoot, StringComparison.Ordinal) ? full.Substring(fullRoot.Length) : full;
        return relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static async Task ReadAsync(string file, string relative, DeclarationFiles files, CancellationToken cancellationToken)
    {
        try
        {
            var length = new FileInfo(file).Length;
            if (!files.CheckSize(relative, length))
            {
                return;
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

            files.Add(relative, bytes, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            files.AddUnreadable(relative, e.Message);
        }
    }
}
