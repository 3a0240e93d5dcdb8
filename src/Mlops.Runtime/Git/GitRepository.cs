using System.Text;
using LibGit2Sharp;

namespace Mlops.Runtime.Git;

/// <summary>
/// The one way mlops reaches git (through libgit2): open or discover a repository, read HEAD and its state,
/// read files, trees and history at a commit, tags, refs under git's lock, write blobs, commits and tags
/// without a checkout, fetch and push. Nothing else in the code names LibGit2Sharp; what crosses this seam
/// are shas, paths and the records of <c>GitObjects.cs</c>, and failures are <see cref="GitException"/>.
/// </summary>
/// <remarks>Not thread-safe (libgit2's repository handle is not); open one per operation.</remarks>
public sealed class GitRepository : IDisposable
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Repository _repository;

    private GitRepository(Repository repository) => _repository = repository;

    /// <summary>The git directory (<c>.git</c>, a linked worktree's, or the bare repository itself).</summary>
    public string GitDirectory => _repository.Info.Path;

    /// <summary>The work tree's root; null for a bare repository.</summary>
    public string? WorkingDirectory => _repository.Info.WorkingDirectory;

    /// <summary>Whether the repository has no work tree.</summary>
    public bool IsBare => _repository.Info.IsBare;

    /// <summary>The work tree's root, or the git directory of a bare repository: where it is, for messages.</summary>
    public string Location => WorkingDirectory ?? GitDirectory;

    /// <summary>Where HEAD is now.</summary>
    public GitHead Head => Run(() =>
    {
        var head = _repository.Head;
        var detached = _repository.Info.IsHeadDetached;
        return new GitHead(head.Tip?.Sha, detached ? null : head.FriendlyName, detached ? null : head.CanonicalName);
    });

    /// <summary>The repository holding <paramref name="path"/> (the folder or one above it, as git searches); null when there is none.</summary>
    /// <param name="path">A folder inside the work tree (or a git directory); a path that does not exist has no repository.</param>
    /// <exception cref="GitException">A repository is there but libgit2 cannot open it.</exception>
    public static GitRepository? Discover(string path)
    {
        if (!Directory.Exists(path))
        {
            return null;
        }

        return Run(() => Repository.Discover(path) is { } gitDirectory ? new GitRepository(new Repository(gitDirectory)) : null);
    }

    /// <summary>Opens the bare repository in <paramref name="folder"/>, creating the folder and the repository first if needed (a cache clone).</summary>
    /// <exception cref="GitException">The folder holds something libgit2 cannot open or initialise.</exception>
    public static GitRepository OpenOrCreateBare(string folder) => Run(() =>
    {
        if (!Repository.IsValid(folder))
        {
            Directory.CreateDirectory(folder);
            Repository.Init(folder, isBare: true);
        }

        return new GitRepository(new Repository(folder));
    });

    /// <summary>Whether tracked files differ from HEAD, staged or not, as <c>git describe --dirty</c> counts it (untracked and ignored files do not count).</summary>
    public bool IsDirty() => Run(() =>
        _repository.RetrieveStatus(new StatusOptions { IncludeUntracked = false, IncludeIgnored = false, RecurseUntrackedDirs = false }).IsDirty);

    /// <summary>The commit a revision names (a sha, branch, tag, <c>HEAD</c>, <c>refs/remotes/origin/main</c>, ...), through annotated tags; null when it names none.</summary>
    public GitCommit? FindCommit(string revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        try
        {
            return _repository.Lookup(revision)?.Peel<Commit>() is { } commit ? ToCommit(commit) : null;
        }
        catch (LibGit2SharpException)
        {
            return null; // an ambiguous or malformed revision names no commit
        }
    }

    /// <summary>The file at <paramref name="path"/> in <paramref name="commit"/>'s tree; null when there is none (or it is a folder).</summary>
    /// <param name="commit">A commit's sha.</param>
    /// <param name="path">The path from the repository root, with forward slashes.</param>
    /// <exception cref="GitException"><paramref name="commit"/> is not a commit of this repository.</exception>
    public GitFile? FindFile(string commit, string path) => Run(() =>
        Entry(Commit(commit), path) is { TargetType: TreeEntryTargetType.Blob } entry ? File(entry.Path, entry.Target.Id) : null);

    /// <summary>The text of a file at a commit (UTF-8; a byte order mark is dropped); null when the file does not exist there.</summary>
    /// <exception cref="GitException"><paramref name="commit"/> is not a commit of this repository.</exception>
    public string? ReadText(string commit, string path) => FindFile(commit, path) is { } file ? ReadBlobText(file.Id) : null;

    /// <summary>Copies a file at a commit into <paramref name="destination"/>, streaming; false when the file does not exist there.</summary>
    /// <exception cref="GitException"><paramref name="commit"/> is not a commit of this repository.</exception>
    public bool CopyFile(string commit, string path, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return Run(() =>
        {
            if (Entry(Commit(commit), path)?.Target is not Blob blob)
            {
                return false;
            }

            using var content = blob.GetContentStream();
            content.CopyTo(destination);
            return true;
        });
    }

    /// <summary>The bytes of a blob, as stored.</summary>
    /// <exception cref="GitException">There is no such blob.</exception>
    public byte[] ReadBlob(string id) => Run(() =>
    {
        using var content = Blob(id).GetContentStream();
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return buffer.ToArray();
    });

    /// <summary>The text of a blob: UTF-8, a byte order mark dropped.</summary>
    /// <exception cref="GitException">There is no such blob.</exception>
    public string ReadBlobText(string id) => Run(() =>
    {
        using var content = Blob(id).GetContentStream();
        using var reader = new StreamReader(content, s_utf8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    });

    /// <summary>Every file under <paramref name="folder"/> (subfolders included) in a commit's tree, by path in ordinal order; empty when the folder does not exist there.</summary>
    /// <param name="commit">A commit's sha.</param>
    /// <param name="folder">The folder's path from the repository root, with forward slashes, without a trailing slash.</param>
    /// <exception cref="GitException"><paramref name="commit"/> is not a commit of this repository.</exception>
    public IReadOnlyList<GitFile> ListFiles(string commit, string folder) => Run(() =>
    {
        var files = new List<GitFile>();
        if (Entry(Commit(commit), folder)?.Target is Tree tree)
        {
            Collect(tree, folder.TrimEnd('/') + "/", files);
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return (IReadOnlyList<GitFile>)files;
    });

    /// <summary>
    /// The commits on <paramref name="tip"/>'s first-parent line that changed the file at <paramref name="path"/>
    /// (created, edited or deleted it), newest first: a merge counts when it brought a change in, dated when it was merged.
    /// </summary>
    /// <exception cref="GitException"><paramref name="tip"/> is not a commit of this repository.</exception>
    public IReadOnlyList<GitCommit> CommitsTouching(string tip, string path) => Run(() =>
    {
        var commits = new List<GitCommit>();
        for (var commit = Commit(tip); commit is not null; commit = commit.Parents.FirstOrDefault())
        {
            var blob = commit.Tree[path]?.Target as Blob;
            var parentBlob = commit.Parents.FirstOrDefault()?.Tree[path]?.Target as Blob;
            if (blob?.Id != parentBlob?.Id)
            {
                commits.Add(ToCommit(commit));
            }
        }

        return (IReadOnlyList<GitCommit>)commits;
    });

    /// <summary>The names of every tag, without <c>refs/tags/</c>.</summary>
    public IReadOnlyList<string> TagNames() => Run(() => (IReadOnlyList<string>)[.. _repository.Tags.Select(t => t.FriendlyName)]);

    /// <summary>The tag named <paramref name="name"/>; null when there is none.</summary>
    public GitTag? FindTag(string name) => Run(() =>
    {
        if (_repository.Tags[name] is not { } tag)
        {
            return null;
        }

        var tagger = tag.IsAnnotated && tag.Annotation.Tagger is { } t ? Signature(t) : null;
        return new GitTag(tag.FriendlyName, tag.IsAnnotated ? tag.Annotation.Message : null, tagger, (tag.PeeledTarget as Commit)?.Sha);
    });

    /// <summary>
    /// Writes an annotated tag object for <paramref name="commit"/> and returns its id, without creating the ref:
    /// the caller creates <c>refs/tags/NAME</c> under <see cref="LockRef"/>, so two writers cannot both win.
    /// </summary>
    /// <exception cref="GitException"><paramref name="commit"/> is not a commit of this repository.</exception>
    public string CreateTagObject(string name, string commit, GitSignature tagger, string message)
    {
        ArgumentNullException.ThrowIfNull(tagger);
        return Run(() => _repository.ObjectDatabase.CreateTagAnnotation(name, Commit(commit), Signature(tagger), message).Id.Sha);
    }

    /// <summary>Takes git's lock on a ref (<c>refs/heads/NAME.lock</c>) for a compare-and-swap; see <see cref="GitRefLock"/>.</summary>
    /// <exception cref="GitRefException">The lock stays taken, or the ref cannot be created or read.</exception>
    public GitRefLock LockRef(string name, CancellationToken cancellationToken) => GitRefLock.Acquire(GitDirectory, name, cancellationToken);

    /// <summary>The configured <c>user.name</c> and <c>user.email</c> (local, then global, then system) at <paramref name="when"/>; null when either is missing.</summary>
    public GitSignature? ConfiguredSignature(DateTimeOffset when) =>
        Run(() => _repository.Config.BuildSignature(when) is { } signature ? Signature(signature) : null);

    /// <summary>Writes <paramref name="bytes"/> as a blob and returns its id.</summary>
    public string CreateBlob(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Run(() =>
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return _repository.ObjectDatabase.CreateBlob(stream).Id.Sha;
        });
    }

    /// <summary>
    /// Writes a commit whose tree is <paramref name="parent"/>'s with the file at <paramref name="path"/> set to
    /// <paramref name="blob"/> (its mode kept; a new file is not executable), and returns its sha. No ref moves.
    /// </summary>
    /// <exception cref="GitException"><paramref name="parent"/> is not a commit, or <paramref name="blob"/> not a blob, of this repository.</exception>
    public string CreateCommit(string parent, string path, string blob, string message, GitSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return Run(() =>
        {
            var parentCommit = Commit(parent);
            var mode = parentCommit[path]?.Mode ?? Mode.NonExecutableFile;
            var tree = TreeDefinition.From(parentCommit.Tree);
            tree.Add(path, Blob(blob), mode);
            var who = Signature(signature);
            return _repository.ObjectDatabase.CreateCommit(who, who, message, _repository.ObjectDatabase.CreateTree(tree), [parentCommit], prettifyMessage: false).Sha;
        });
    }

    /// <summary>
    /// The text of <paramref name="path"/> after reverting <paramref name="commit"/> onto <paramref name="onto"/>
    /// (a three-way merge, like <c>git revert</c>; for a merge commit, against parent <paramref name="mainline"/>);
    /// null when the revert conflicts or leaves no such file. Nothing is written.
    /// </summary>
    /// <exception cref="GitException">A sha is not a commit of this repository.</exception>
    public string? RevertFile(string commit, string onto, int mainline, string path) => Run(() =>
    {
        var result = _repository.ObjectDatabase.RevertCommit(Commit(commit), Commit(onto), mainline, new MergeTreeOptions());
        return result.Status == MergeTreeStatus.Conflicts || result.Tree?[path]?.Target is not Blob blob ? null : ReadBlobText(blob.Id.Sha);
    });

    /// <summary>
    /// Brings the work tree file and the index entry at <paramref name="path"/> from <paramref name="baseBlob"/> to
    /// <paramref name="newBlob"/>, but only when both still hold the base content (a user's edit is never overwritten).
    /// </summary>
    /// <returns>Whether the file and the index were updated.</returns>
    public bool UpdateWorkingFile(string path, string baseBlob, string newBlob) => Run(() =>
    {
        if (IsBare)
        {
            return false;
        }

        var file = Path.Combine(_repository.Info.WorkingDirectory, path);
        var indexEntry = _repository.Index[path];
        if (!System.IO.File.Exists(file) || indexEntry?.Id.Sha != baseBlob || !System.IO.File.ReadAllBytes(file).AsSpan().SequenceEqual(ReadBlob(baseBlob)))
        {
            return false;
        }

        System.IO.File.WriteAllBytes(file, ReadBlob(newBlob));
        _repository.Index.Add(path);
        _repository.Index.Write();
        return true;
    });

    /// <summary>Whether a remote of that name is configured.</summary>
    public bool HasRemote(string name) => Run(() => _repository.Network.Remotes[name] is not null);

    /// <summary>The URL of the remote of that name, as configured (it may hold credentials: show it through <see cref="GitRemoteUrl.WithoutUserInfo"/>); null when there is none.</summary>
    public string? RemoteUrl(string name) => Run(() => _repository.Network.Remotes[name]?.Url);

    /// <summary>Adds the remote, or points it at <paramref name="url"/> when it exists with another URL.</summary>
    public void SetRemote(string name, string url) => Run(() =>
    {
        if (_repository.Network.Remotes[name] is not { } remote)
        {
            _repository.Network.Remotes.Add(name, url);
        }
        else if (remote.Url != url)
        {
            _repository.Network.Remotes.Update(name, r => r.Url = url);
        }

        return true;
    });

    /// <summary>Fetches <paramref name="refSpec"/> (for example <c>+refs/heads/main:refs/remotes/origin/main</c>) from a remote.</summary>
    /// <param name="remote">The configured remote's name.</param>
    /// <param name="refSpec">What to fetch, and where to.</param>
    /// <param name="credentials">Where a user name and token come from if the remote asks for them; null reads this process's environment (see <see cref="GitCredentialSource"/>).</param>
    /// <exception cref="GitException">The remote is not configured, is an SSH remote, asks for credentials that are missing or wrong (one line naming the remote and what to set), or cannot be reached or read.</exception>
    public void Fetch(string remote, string refSpec, GitCredentialSource? credentials = null) =>
        RunRemote(push: false, remote, credentials, provider =>
        {
            Commands.Fetch(_repository, remote, [refSpec], new FetchOptions { CredentialsProvider = provider }, null);
            return true;
        });

    /// <summary>Pushes <paramref name="refSpec"/> (for example <c>refs/tags/churn@v8:refs/tags/churn@v8</c>) to a configured remote.</summary>
    /// <param name="remote">The configured remote's name.</param>
    /// <param name="refSpec">What to push, and where to.</param>
    /// <param name="credentials">Where a user name and token come from if the remote asks for them; null reads this process's environment (see <see cref="GitCredentialSource"/>).</param>
    /// <returns>Null when the remote took it; otherwise the remote's reason for refusing the ref (it exists, is protected, ...).</returns>
    /// <exception cref="GitException">The remote is not configured, is an SSH remote, asks for credentials that are missing or wrong (one line naming the remote and what to set), or cannot be reached.</exception>
    public string? Push(string remote, string refSpec, GitCredentialSource? credentials = null) =>
        RunRemote(push: true, remote, credentials, provider =>
        {
            string? refused = null;
            var options = new PushOptions { CredentialsProvider = provider, OnPushStatusError = e => refused = e.Message };
            _repository.Network.Push(_repository.Network.Remotes[remote], refSpec, options);
            return refused;
        });

    /// <inheritdoc/>
    public void Dispose() => _repository.Dispose();

    // libgit2's failures become the seam's own exception, with libgit2's message: callers catch one type and
    // never see a LibGit2Sharp one.
    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (LibGit2SharpException e)
        {
            throw new GitException(e.Message, e);
        }
    }

    // A fetch or push: credentials are looked up only when the remote asks, an SSH remote is refused before libgit2
    // tries (LibGit2Sharp 0.32 ships libgit2 without SSH), and an authentication failure becomes one line naming the
    // remote (its URL without credentials) and what to set. libgit2's own messages are scrubbed of the URL's user info.
    private T RunRemote<T>(bool push, string remote, GitCredentialSource? credentials, Func<LibGit2Sharp.Handlers.CredentialsHandler, T> action)
    {
        var url = Run(() => _repository.Network.Remotes[remote]?.Url) ?? throw new GitException($"remote '{remote}' does not exist in {Location}");
        if (GitRemoteUrl.IsSsh(url))
        {
            var https = GitRemoteUrl.HttpsFor(url) is { } h ? $" (git remote set-url {remote} {h})" : "";
            throw new GitException($"{GitRemoteUrl.Describe(remote, url)} is an SSH remote, and mlops cannot reach SSH remotes (LibGit2Sharp 0.32 has no SSH transport): use its https URL{https} with a token in {GitCredentialSource.TokenVariable}");
        }

        var attempt = new GitAuthenticationAttempt(credentials ?? GitCredentialSource.FromEnvironment());
        T result;
        try
        {
            result = action((askedUrl, _, _) => attempt.Credentials(askedUrl) is { } c ? new UsernamePasswordCredentials { Username = c.Username, Password = c.Password } : null);
        }
        catch (LibGit2SharpException e)
        {
            attempt.Report(succeeded: false);
            // No inner exception: libgit2's text can quote the URL as configured, user info included.
            throw new GitException(attempt.Message(push, remote, url) ?? GitRemoteUrl.Scrub(e.Message, url));
        }

        attempt.Report(succeeded: true);
        return result;
    }

    private static GitSignature Signature(Signature signature) => new(signature.Name, signature.Email, signature.When);

    private static Signature Signature(GitSignature signature) => new(signature.Name, signature.Email, signature.When);

    private static GitCommit ToCommit(Commit commit) =>
        new(commit.Sha, commit.Message, commit.MessageShort, Signature(commit.Author), Signature(commit.Committer), [.. commit.Parents.Select(p => p.Sha)]);

    private Commit Commit(string sha) =>
        _repository.Lookup<Commit>(sha) ?? throw new GitException($"'{sha}' is not a commit in {Location}");

    // A path that cannot be in a tree (absolute, with '..', empty) names nothing, as a missing one does.
    private static TreeEntry? Entry(Commit commit, string path)
    {
        try
        {
            return commit[path];
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    private Blob Blob(string id) =>
        _repository.Lookup<Blob>(id) ?? throw new GitException($"'{id}' is not a blob in {Location}");

    private GitFile File(string path, ObjectId id) =>
        new(path.Replace('\\', '/'), id.Sha, _repository.ObjectDatabase.RetrieveObjectMetadata(id).Size);

    private void Collect(Tree tree, string prefix, List<GitFile> files)
    {
        foreach (var entry in tree)
        {
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree:
                    Collect((Tree)entry.Target, prefix + entry.Name + "/", files);
                    break;
                case TreeEntryTargetType.Blob:
                    files.Add(File(prefix + entry.Name, entry.Target.Id));
                    break;
            }
        }
    }
}
