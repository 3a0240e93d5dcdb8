namespace Mlops.Runtime.Git;

/// <summary>Who wrote a commit or tag, and when.</summary>
/// <param name="Name">The name.</param>
/// <param name="Email">The email address.</param>
/// <param name="When">The time, with the writer's offset.</param>
public sealed record GitSignature(string Name, string Email, DateTimeOffset When)
{
    /// <summary><c>Name &lt;email&gt;</c>, as git prints it.</summary>
    public override string ToString() => $"{Name} <{Email}>";
}

/// <summary>A commit as read from the object database.</summary>
/// <param name="Sha">The full sha.</param>
/// <param name="Message">The whole message.</param>
/// <param name="Subject">The summary line (the first paragraph, on one line), as git's <c>%s</c> gives it.</param>
/// <param name="Author">Who wrote the change.</param>
/// <param name="Committer">Who committed it; its time is when the commit landed (for a merge, when it was merged).</param>
/// <param name="Parents">The parents' shas, first parent first.</param>
public sealed record GitCommit(string Sha, string Message, string Subject, GitSignature Author, GitSignature Committer, IReadOnlyList<string> Parents);

/// <summary>A file (blob) in a commit's tree.</summary>
/// <param name="Path">Its path from the repository root, with forward slashes.</param>
/// <param name="Id">The blob's id: two files with the same id have the same bytes.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record GitFile(string Path, string Id, long Size);

/// <summary>A tag, annotated or lightweight.</summary>
/// <param name="Name">The tag's name, without <c>refs/tags/</c>.</param>
/// <param name="Message">The annotation's message; null for a lightweight tag.</param>
/// <param name="Tagger">The annotation's tagger; null for a lightweight tag (or an annotation without one).</param>
/// <param name="Commit">The sha of the commit the tag points to, through any annotations; null when it points to something else.</param>
public sealed record GitTag(string Name, string? Message, GitSignature? Tagger, string? Commit)
{
    /// <summary>Whether the tag is an annotation object (it has a message and usually a tagger).</summary>
    public bool IsAnnotated => Message is not null;
}

/// <summary>Where HEAD is.</summary>
/// <param name="Commit">The sha HEAD resolves to; null before the first commit.</param>
/// <param name="Branch">The checked-out branch's short name (<c>main</c>), also before its first commit; null when detached.</param>
/// <param name="CanonicalName">The branch's full ref name (<c>refs/heads/main</c>); null when detached.</param>
public sealed record GitHead(string? Commit, string? Branch, string? CanonicalName)
{
    /// <summary>HEAD points at a commit, not at a branch.</summary>
    public bool IsDetached => Branch is null;

    /// <summary>HEAD names a branch that has no commit yet.</summary>
    public bool IsUnborn => Commit is null && Branch is not null;
}

/// <summary>A user name and password (or token) for a remote that asks for them.</summary>
/// <param name="Username">The user name; for token-based hosts, whatever the host expects (often the token's owner or <c>x-access-token</c>).</param>
/// <param name="Password">The password or token.</param>
public sealed record GitCredentials(string Username, string Password)
{
    /// <summary>Leaves the password out, so the record can be logged.</summary>
    public override string ToString() => $"GitCredentials {{ Username = {Username} }}";
}

/// <summary>A git operation failed (the repository is unreadable, a remote is unreachable, an object is missing); the message is libgit2's.</summary>
public sealed class GitException(string message, Exception? inner = null) : Exception(message, inner);
