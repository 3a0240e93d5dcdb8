using System.Globalization;
using System.Text;

namespace Mlops.Runtime.Git;

/// <summary>
/// A compare-and-swap on one ref with git's own lock protocol: <c>refs/heads/NAME.lock</c> is created exclusively
/// (git, libgit2 and other mlops processes all wait for or fail on it), the ref's current value is read while the
/// lock is held, and the new value is written into the lock file, which is then renamed over the ref. Disposing
/// without <see cref="Commit"/> removes the lock and changes nothing.
/// </summary>
/// <remarks>
/// Works with loose and packed refs (a packed ref is overridden by the new loose one, as git does) in the files
/// backend, the only one libgit2 reads. The reflog of the ref (and of HEAD, when it points to the ref) gets the
/// usual entry. (libgit2's own "create unless it exists" checks before it locks, so two creators can both win;
/// this class checks under the lock.)
/// </remarks>
public sealed class GitRefLock : IDisposable
{
    private const int Attempts = 250;
    private static readonly TimeSpan s_pause = TimeSpan.FromMilliseconds(20);

    private readonly string _commonDirectory;
    private readonly string _gitDirectory;
    private readonly string _refPath;
    private readonly string _lockPath;
    private FileStream? _lock;

    private GitRefLock(string gitDirectory, string commonDirectory, string name, FileStream lockStream, string? current)
    {
        _gitDirectory = gitDirectory;
        _commonDirectory = commonDirectory;
        Name = name;
        _refPath = System.IO.Path.Combine(commonDirectory, name);
        _lockPath = _refPath + ".lock";
        _lock = lockStream;
        Current = current;
    }

    /// <summary>The ref's full name, <c>refs/heads/main</c>.</summary>
    public string Name { get; }

    /// <summary>The sha the ref points to while the lock is held; null when it does not exist.</summary>
    public string? Current { get; }

    /// <summary>Takes the lock of <paramref name="name"/>, waiting up to five seconds for another holder to finish.</summary>
    /// <param name="gitDirectory">The repository's git directory (<c>.git</c>, or a linked worktree's).</param>
    /// <param name="name">The ref's full name, <c>refs/heads/main</c> or <c>refs/tags/churn@v8</c>.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="GitRefException">The lock stays taken, the ref's folder cannot be created, or the ref is symbolic or unreadable.</exception>
    internal static GitRefLock Acquire(string gitDirectory, string name, CancellationToken cancellationToken)
    {
        var common = CommonDirectory(gitDirectory);
        var refPath = System.IO.Path.Combine(common, name);
        var lockPath = refPath + ".lock";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(refPath)!);
        }
        catch (IOException e)
        {
            throw new GitRefException(
                $"{name} cannot be created: {e.Message.TrimEnd('.')} (a ref whose name is a prefix of it may exist). Delete or rename the conflicting ref.", e);
        }

        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FileStream stream;
            try
            {
                stream = new FileStream(lockPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }
            catch (IOException) when (attempt < Attempts)
            {
                Thread.Sleep(s_pause); // another writer holds the ref: git holds such locks for milliseconds
                continue;
            }
            catch (IOException e)
            {
                throw new GitRefException(
                    $"{name} is locked ({lockPath} exists): another git process is updating it. Try again, and if no git process is running, delete the lock file.", e);
            }

            try
            {
                return new GitRefLock(gitDirectory, common, name, stream, Read(common, name));
            }
            catch
            {
                stream.Dispose();
                File.Delete(lockPath);
                throw;
            }
        }
    }

    /// <summary>Points the ref at <paramref name="target"/> and releases the lock.</summary>
    /// <param name="target">The sha of the object the ref is to point to.</param>
    /// <param name="who">Who moves the ref, for the reflog.</param>
    /// <param name="reflogMessage">The reflog entry's message.</param>
    /// <exception cref="InvalidOperationException">The lock was already released.</exception>
    /// <exception cref="ArgumentException"><paramref name="target"/> is not an object id.</exception>
    public void Commit(string target, GitSignature who, string reflogMessage)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (!IsObjectId(target))
        {
            throw new ArgumentException($"'{target}' is not an object id (40 or 64 lowercase hex digits).", nameof(target));
        }

        var stream = _lock ?? throw new InvalidOperationException("The lock was already released.");
        stream.Write(Encoding.ASCII.GetBytes(target + "\n"));
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _lock = null;
        File.Move(_lockPath, _refPath, overwrite: true);
        if (!Name.StartsWith("refs/heads/", StringComparison.Ordinal))
        {
            return; // like git, log branch updates only (core.logAllRefUpdates=true)
        }

        AppendReflog(Name, target, who, reflogMessage);
        if (HeadTarget() == Name)
        {
            AppendReflog("HEAD", target, who, reflogMessage);
        }
    }

    /// <summary>Releases the lock without changing the ref, unless <see cref="Commit"/> did already.</summary>
    public void Dispose()
    {
        if (_lock is not null)
        {
            _lock.Dispose();
            _lock = null;
            File.Delete(_lockPath);
        }
    }

    /// <summary>The ref HEAD points to, or null when detached.</summary>
    private string? HeadTarget()
    {
        var head = System.IO.Path.Combine(_gitDirectory, "HEAD");
        var text = File.Exists(head) ? File.ReadAllText(head).Trim() : "";
        return text.StartsWith("ref: ", StringComparison.Ordinal) ? text[5..] : null;
    }

    private void AppendReflog(string name, string target, GitSignature who, string message)
    {
        var directory = name == "HEAD" ? _gitDirectory : _commonDirectory;
        var logs = System.IO.Path.Combine(directory, "logs");
        if (!Directory.Exists(System.IO.Path.Combine(_commonDirectory, "logs")))
        {
            return; // the repository keeps no reflogs (bare, or core.logAllRefUpdates off)
        }

        var path = System.IO.Path.Combine(logs, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var old = Current ?? new string('0', target.Length);
        var offset = who.When.Offset;
        var zone = (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);
        var line = $"{old} {target} {who.Name} <{who.Email}> {who.When.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)} {zone}\t{message.Replace('\n', ' ')}\n";
        File.AppendAllText(path, line);
    }

    /// <summary>A sha-1 (40) or sha-256 (64) object id in lowercase hex, as git writes refs.</summary>
    private static bool IsObjectId(string text) =>
        text.Length is 40 or 64 && text.AsSpan().ContainsAnyExcept("0123456789abcdef") is false;

    /// <summary>The folder holding refs: the git directory, or for a linked worktree the main repository's (its <c>commondir</c> file).</summary>
    private static string CommonDirectory(string gitDirectory)
    {
        var pointer = System.IO.Path.Combine(gitDirectory, "commondir");
        if (!File.Exists(pointer))
        {
            return gitDirectory;
        }

        var common = File.ReadAllText(pointer).Trim();
        return System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(common) ? common : System.IO.Path.Combine(gitDirectory, common));
    }

    /// <summary>The ref's value from its loose file, else from packed-refs; null when it exists in neither.</summary>
    private static string? Read(string commonDirectory, string name)
    {
        var loose = System.IO.Path.Combine(commonDirectory, name);
        if (File.Exists(loose))
        {
            var text = File.ReadAllText(loose).Trim();
            if (text.StartsWith("ref:", StringComparison.Ordinal))
            {
                throw new GitRefException($"{name} is a symbolic ref ({text}); mlops updates only refs that point to commits. Name the branch it points to.");
            }

            return IsObjectId(text) ? text
                : throw new GitRefException($"{name} holds '{text}', which is not a commit id. Repair the ref with git before promoting.");
        }

        var packed = System.IO.Path.Combine(commonDirectory, "packed-refs");
        if (!File.Exists(packed))
        {
            return null;
        }

        foreach (var line in File.ReadLines(packed))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(space + 1).SequenceEqual(name) && IsObjectId(line[..space]))
            {
                return line[..space];
            }
        }

        return null;
    }
}

/// <summary>A ref could not be locked, read or written; the message says which and what to do.</summary>
public sealed class GitRefException(string message, Exception? inner = null) : Exception(message, inner);
