using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Pipeline.Data;

/// <summary>
/// A model's <c>data.path</c> resolved inside the repository: every symbolic link on the way is
/// followed, the result must stay under the repository root, and it must be a regular file. Every
/// reader of a model's data opens it through here, so a path cannot read (and hash) a file outside
/// the repository, and a device or a pipe (which never ends, or blocks on open) is refused before
/// it is opened. The rules are in docs/file-formats.md ("Where the data file may be").
/// </summary>
/// <param name="Path">The path as written, relative to the repository root, with forward slashes: what findings show.</param>
/// <param name="FullPath">The resolved file, with no symbolic link left in it: what is opened.</param>
public sealed record DataPath(string Path, string FullPath)
{
    /// <summary>Linux gives up after 40 links in one path (ELOOP); so does this.</summary>
    private const int MaxLinks = 40;

    /// <summary>Resolves the data path of <paramref name="model"/> in the repository at <paramref name="root"/>.</summary>
    /// <param name="root">The repository root the path is relative to.</param>
    /// <param name="model">The model declaration; findings are located at its <c>data.path</c>.</param>
    /// <param name="path">The resolved path, when it names a regular file inside the repository.</param>
    /// <param name="problem">Otherwise, why not: MLOPS0401 (missing), MLOPS0413 (outside the repository) or MLOPS0414 (not a regular file).</param>
    public static bool TryResolve(string root, Declared<ModelSpec> model, [NotNullWhen(true)] out DataPath? path, [NotNullWhen(false)] out Diagnostic? problem)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(model);
        var written = (model.Value.Data.Path ?? string.Empty).Replace('\\', '/');
        var at = model.Map["data.path"];
        path = null;
        problem = null;

        if (written.Length == 0)
        {
            problem = DiagnosticIds.DataPathNotRegularFile.At(at,
                "data path is empty. Write the CSV file's path from the repository root, for example 'data/churn.csv'.");
            return false;
        }

        if (IsAbsolute(written))
        {
            problem = DiagnosticIds.DataPathOutsideRepository.At(at,
                $"data path '{written}' is absolute; it must be relative to the repository root, so the model trains on the same file in every clone. Move the file into the repository and write its path from the root, for example 'data/{System.IO.Path.GetFileName(written)}'.");
            return false;
        }

        var repository = Resolve(System.IO.Path.GetFullPath(root), out _);
        var resolved = Resolve(repository, written, out var links);
        if (links > MaxLinks)
        {
            problem = DiagnosticIds.DataPathNotRegularFile.At(at,
                $"data path '{written}' goes through more than {MaxLinks} symbolic links (a loop?), so it names no file. Point 'data.path' at the file itself.");
            return false;
        }

        if (!IsInside(repository, resolved))
        {
            problem = DiagnosticIds.DataPathOutsideRepository.At(at,
                $"data path '{written}' leads outside the repository{(links == 0 ? "" : $" (through a symbolic link, to '{resolved}')")}. A model may only train on a file in its repository, where its digest and history are kept: move or copy the file into the repository (for example under data/) and correct 'data.path'.");
            return false;
        }

        var kind = KindOf(resolved);
        if (kind == FileKind.Missing)
        {
            var link = links == 0 ? "" : $" (it is a symbolic link to '{Relative(repository, resolved)}')";
            problem = DiagnosticIds.DataFileMissing.At(at, $"data file '{written}' does not exist{link}. Add it, or correct 'data.path'.");
            return false;
        }

        if (kind != FileKind.Regular)
        {
            problem = DiagnosticIds.DataPathNotRegularFile.At(at,
                $"data path '{written}' names {Describe(kind)}{(links == 0 ? "" : $" (through a symbolic link, '{Relative(repository, resolved)}')")}, not a regular file, so it cannot be read as CSV. Point 'data.path' at the CSV file.");
            return false;
        }

        path = new DataPath(written, resolved);
        return true;
    }

    /// <summary>
    /// Whether a path, read without the file system, stays inside the folder it is relative to: not
    /// absolute and no <c>..</c> name. For copying a commit's files, where links are not followed.
    /// </summary>
    /// <param name="written">A path with forward or back slashes.</param>
    public static bool IsPlainRelative(string written)
    {
        ArgumentNullException.ThrowIfNull(written);
        return written.Length > 0 && !IsAbsolute(written) && !Split(written).Contains("..");
    }

    private static bool IsAbsolute(string written) =>
        System.IO.Path.IsPathRooted(written) || written.StartsWith('/') || written.StartsWith('\\')
        || (written.Length >= 2 && char.IsAsciiLetter(written[0]) && written[1] == ':');

    private static bool IsInside(string repository, string file)
    {
        var prefix = repository.EndsWith(System.IO.Path.DirectorySeparatorChar) ? repository : repository + System.IO.Path.DirectorySeparatorChar;
        return file.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private static string Relative(string repository, string file) =>
        System.IO.Path.GetRelativePath(repository, file).Replace('\\', '/');

    /// <summary>An absolute path with every symbolic link in it replaced by its target, as realpath(3) gives.</summary>
    private static string Resolve(string absolute, out int links)
    {
        var top = System.IO.Path.GetPathRoot(absolute)!;
        return Resolve(top, absolute[top.Length..], out links);
    }

    /// <summary>
    /// Walks <paramref name="relative"/> from <paramref name="start"/> (itself free of links) one name
    /// at a time, so that a link in a folder's name is followed as the file system would, and a
    /// <c>..</c> after a link leaves the link's target, not the link.
    /// </summary>
    /// <param name="start">Where the walk starts: an absolute folder with no link in it.</param>
    /// <param name="relative">The names to walk.</param>
    /// <param name="links">How many links were followed; more than <see cref="MaxLinks"/> means the walk gave up.</param>
    private static string Resolve(string start, string relative, out int links)
    {
        var names = new List<string>(Split(relative));
        var current = start;
        links = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                current = System.IO.Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = System.IO.Path.Combine(current, name);
            var target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return next;
            }

            // The rest of the walk is the link's target followed by the names after the link.
            var rest = names.GetRange(i + 1, names.Count - i - 1);
            names = [.. Split(target), .. rest];
            i = -1;
            if (System.IO.Path.IsPathRooted(target))
            {
                current = System.IO.Path.GetPathRoot(target)!;
            }
        }

        return current;
    }

    private static string[] Split(string path) => path.Split('/', '\\');

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null; // not there, or not reachable: the kind check reports it
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private enum FileKind
    {
        Missing,
        Regular,
        Directory,
        Device,
        Pipe,
        Socket,
        Other,
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a folder",
        FileKind.Device => "a device",
        FileKind.Pipe => "a named pipe",
        FileKind.Socket => "a socket",
        _ => "something that is neither a file nor a folder",
    };

    /// <summary>What is at <paramref name="path"/> (already free of links), without opening it.</summary>
    private static FileKind KindOf(string path)
    {
        if (Directory.Exists(path))
        {
            return FileKind.Directory;
        }

        if (!File.Exists(path))
        {
            return FileKind.Missing;
        }

        if (OperatingSystem.IsWindows())
        {
            return (File.GetAttributes(path) & FileAttributes.Device) != 0 ? FileKind.Device : FileKind.Regular;
        }

        // The base library tells a file from a folder, but not a regular file from a device, a pipe
        // or a socket; the runtime's own native shim (the one System.IO calls) does.
        if (NativeMethods.SystemNative_Stat(path, out var status) != 0)
        {
            return FileKind.Missing;
        }

        return (status.Mode & NativeMethods.TypeMask) switch
        {
            NativeMethods.Regular => FileKind.Regular,
            NativeMethods.Folder => FileKind.Directory,
            NativeMethods.CharacterDevice or NativeMethods.BlockDevice => FileKind.Device,
            NativeMethods.Fifo => FileKind.Pipe,
            NativeMethods.Socket => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    private static class NativeMethods
    {
        // The file type bits of FileStatus.Mode: the shim's own constants (pal_io.h), the same on every Unix.
        public const int TypeMask = 0xF000;
        public const int Fifo = 0x1000;
        public const int CharacterDevice = 0x2000;
        public const int Folder = 0x4000;
        public const int BlockDevice = 0x6000;
        public const int Regular = 0x8000;
        public const int Socket = 0xC000;

        [DllImport("libSystem.Native", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int SystemNative_Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
    }

    /// <summary>
    /// The start of the shim's FileStatus (flags, then mode); sized well beyond the whole struct
    /// (about 130 bytes), so a later runtime that adds fields still writes inside it.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }
}
