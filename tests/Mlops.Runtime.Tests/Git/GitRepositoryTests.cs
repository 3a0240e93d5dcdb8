using Mlops.Runtime.Git;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Git;

/// <summary>The git seam against real repositories made and checked with stock git.</summary>
public sealed class GitRepositoryTests : IDisposable
{
    private static readonly DateTimeOffset s_when = new(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(1));
    private static readonly GitSignature s_who = new("Mlops Test", "mlops@example.com", s_when);

    private readonly TempDirectory _folder = new("mlops-git-seam");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Sources_OutsideTheSeamFolder_NeverNameLibGit2Sharp()
    {
        var src = RepositoryRoot.Combine("src");
        var seam = Path.Combine(src, "Mlops.Runtime", "Git") + Path.DirectorySeparatorChar;
        var project = Path.Combine(src, "Mlops.Runtime", "Mlops.Runtime.csproj"); // the seam's package reference
        var offenders = Directory.EnumerateFiles(src, "*", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Where(f => !f.StartsWith(seam, StringComparison.Ordinal) && f != project)
            .Where(f => File.ReadAllText(f).Contains("LibGit2Sharp", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepositoryRoot.Path, f))
            .ToList();

        Assert.True(offenders.Count == 0, "Reach git through Mlops.Runtime.Git.GitRepository, not LibGit2Sharp: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Discover_FolderInNoRepository_IsNull()
    {
        Assert.Null(GitRepository.Discover(_folder.Path));
        Assert.Null(GitRepository.Discover(_folder.Combine("does/not/exist")));
    }

    [Fact]
    public void Discover_SubfolderOfAWorkTree_OpensTheRepositoryAtItsRoot()
    {
        var commit = Commit(("features/customer.yaml", "featureSet: customer\n"));

        using var repository = GitRepository.Discover(_folder.Combine("features"))!;

        Assert.Equal(Path.TrimEndingDirectorySeparator(_folder.Path), Path.TrimEndingDirectorySeparator(repository.WorkingDirectory!));
        Assert.Equal(new GitHead(commit, "main", "refs/heads/main"), repository.Head);
        Assert.False(repository.IsDirty());
    }

    [Fact]
    public void Head_BeforeTheFirstCommitAndDetached_SaysSo()
    {
        Testing.Git.Run(_folder.Path, "init", "-q", "-b", "main");
        using (var unborn = GitRepository.Discover(_folder.Path)!)
        {
            Assert.True(unborn.Head.IsUnborn);
            Assert.Null(unborn.Head.Commit);
        }

        var commit = Commit(("a.txt", "a"));
        Testing.Git.Run(_folder.Path, "checkout", "-q", "--detach");
        using var detached = GitRepository.Discover(_folder.Path)!;

        Assert.True(detached.Head.IsDetached);
        Assert.Equal(commit, detached.Head.Commit);
    }

    [Fact]
    public void IsDirty_TrackedFileEdited_IsTrueButAnUntrackedFileIsNot()
    {
        Commit(("a.txt", "a"));
        _folder.Write("new.txt", "untracked");
        using var repository = GitRepository.Discover(_folder.Path)!;
        Assert.False(repository.IsDirty());

        _folder.Write("a.txt", "edited");

        Assert.True(repository.IsDirty());
    }

    [Fact]
    public void ReadText_FileWithAByteOrderMark_IsTheTextWithoutIt()
    {
        _folder.Write("environments/staging.yaml", [0xEF, 0xBB, 0xBF, .. "environment: staging\n"u8.ToArray()]);
        var commit = Commit();
        using var repository = GitRepository.Discover(_folder.Path)!;

        Assert.Equal("environment: staging\n", repository.ReadText(commit, "environments/staging.yaml"));
        Assert.Equal(24, repository.FindFile(commit, "environments/staging.yaml")!.Size);
    }

    [Theory]
    [InlineData("environments/production.yaml")]
    [InlineData("environments")]
    [InlineData("../outside.yaml")]
    [InlineData("/etc/passwd")]
    public void FindFile_PathThatIsNoFileOfTheCommit_IsNull(string path)
    {
        var commit = Commit(("environments/staging.yaml", "environment: staging\n"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        Assert.Null(repository.FindFile(commit, path));
        Assert.Null(repository.ReadText(commit, path));
    }

    [Fact]
    public void FindFile_CommitThatDoesNotExist_IsAGitExceptionNamingIt()
    {
        Commit(("a.txt", "a"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        var error = Assert.Throws<GitException>(() => repository.FindFile(new string('1', 40), "a.txt"));

        Assert.Contains(new string('1', 40), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindCommit_RevisionThatNamesNoCommit_IsNull()
    {
        var commit = Commit(("a.txt", "a"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        Assert.Equal(commit, repository.FindCommit("main")!.Sha);
        Assert.Equal(commit, repository.FindCommit(commit[..10])!.Sha);
        Assert.Null(repository.FindCommit("no-such-branch"));
        Assert.Null(repository.FindCommit("main:a.txt")); // a blob, not a commit
    }

    [Fact]
    public void ListFiles_Folder_ListsEveryFileOfItsSubfoldersTooByPath()
    {
        var commit = Commit(
            ("features/customer.yaml", "a"),
            ("features/team/usage.yml", "b"),
            ("features/team/deep/more.yaml", "c"),
            ("models/churn.yaml", "d"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        var files = repository.ListFiles(commit, "features");

        Assert.Equal(["features/customer.yaml", "features/team/deep/more.yaml", "features/team/usage.yml"], files.Select(f => f.Path));
        Assert.Equal("c", repository.ReadBlobText(files[1].Id));
        Assert.Empty(repository.ListFiles(commit, "environments"));
    }

    [Fact]
    public void CommitsTouching_HistoryWithAMerge_ListsTheFirstParentCommitsThatChangedThePathNewestFirst()
    {
        var created = Commit(("environments/staging.yaml", "v1"), ("other.txt", "1"));
        Commit(("other.txt", "2"));
        Testing.Git.Run(_folder.Path, "checkout", "-q", "-b", "promote/x");
        Commit(("environments/staging.yaml", "v2"));
        Testing.Git.Run(_folder.Path, "checkout", "-q", "main");
        Testing.Git.Run(_folder.Path, "merge", "-q", "--no-ff", "-m", "Merge promote/x", "promote/x");
        var merge = Testing.Git.Run(_folder.Path, "rev-parse", "HEAD").Trim();
        using var repository = GitRepository.Discover(_folder.Path)!;

        var commits = repository.CommitsTouching(merge, "environments/staging.yaml");

        Assert.Equal([merge, created], commits.Select(c => c.Sha));
        Assert.Equal("Merge promote/x", commits[0].Subject);
        Assert.Equal(2, commits[0].Parents.Count);
    }

    [Fact]
    public void CreateTagObjectAndLockRef_AnnotatedTag_IsReadBackAndPassesGitFsck()
    {
        var commit = Commit(("a.txt", "a"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        var tag = repository.CreateTagObject("churn@v1", commit, s_who, "churn v1\n\nbundle: x\n");
        using (var refLock = repository.LockRef("refs/tags/churn@v1", CancellationToken.None))
        {
            Assert.Null(refLock.Current);
            refLock.Commit(tag, s_who, "mlops: register churn@v1");
        }

        Assert.Equal(new GitTag("churn@v1", "churn v1\n\nbundle: x\n", s_who, commit), repository.FindTag("churn@v1"));
        Assert.Contains("churn@v1", repository.TagNames());
        Assert.Equal(commit, Testing.Git.Run(_folder.Path, "rev-parse", "churn@v1^{commit}").Trim());
        Testing.Git.Run(_folder.Path, "fsck", "--full", "--strict");
    }

    [Fact]
    public void FindTag_LightweightTag_IsNotAnnotated()
    {
        var commit = Commit(("a.txt", "a"));
        Testing.Git.Run(_folder.Path, "tag", "light");
        using var repository = GitRepository.Discover(_folder.Path)!;

        var tag = repository.FindTag("light")!;

        Assert.False(tag.IsAnnotated);
        Assert.Equal(commit, tag.Commit);
        Assert.Null(repository.FindTag("absent"));
    }

    [Fact]
    public void LockRef_DisposedWithoutCommit_LeavesTheRefAndNoLockFile()
    {
        var commit = Commit(("a.txt", "a"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        using (var refLock = repository.LockRef("refs/heads/main", CancellationToken.None))
        {
            Assert.Equal(commit, refLock.Current);
            Assert.True(File.Exists(_folder.Combine(".git/refs/heads/main.lock")));
        }

        Assert.False(File.Exists(_folder.Combine(".git/refs/heads/main.lock")));
        Assert.Equal(commit, Testing.Git.Run(_folder.Path, "rev-parse", "main").Trim());
    }

    [Fact]
    public void CreateCommit_EditOfOneFile_KeepsTheRestOfTheTreeAndTheFileModeAndGitLogsIt()
    {
        _folder.Write("run.sh", "echo hi\n");
        var parent = Commit(("environments/staging.yaml", "v1\n"));
        Testing.Git.Run(_folder.Path, "update-index", "--chmod=+x", "run.sh");
        parent = CommitStaged("Make run.sh executable");
        using var repository = GitRepository.Discover(_folder.Path)!;

        var blob = repository.CreateBlob("v2\n"u8.ToArray());
        var commit = repository.CreateCommit(parent, "environments/staging.yaml", blob, "Promote churn v2\n\nbody\n", s_who);
        var executable = repository.CreateCommit(parent, "run.sh", repository.CreateBlob("echo bye\n"u8.ToArray()), "Edit run.sh", s_who);
        using (var refLock = repository.LockRef("refs/heads/main", CancellationToken.None))
        {
            refLock.Commit(commit, s_who, "mlops: Promote churn v2");
        }

        Assert.Equal("v2\n", Testing.Git.Run(_folder.Path, "show", "main:environments/staging.yaml"));
        Assert.Equal("echo hi\n", Testing.Git.Run(_folder.Path, "show", "main:run.sh"));
        Assert.Equal("Promote churn v2|Mlops Test <mlops@example.com>|" + parent, Testing.Git.Run(_folder.Path, "log", "-1", "--format=%s|%an <%ae>|%P", "main").Trim());
        Assert.StartsWith("100755", Testing.Git.Run(_folder.Path, "ls-tree", executable, "run.sh"), StringComparison.Ordinal);
        Assert.Contains("mlops: Promote churn v2", Testing.Git.Run(_folder.Path, "reflog", "-1", "main"), StringComparison.Ordinal);
    }

    [Fact]
    public void RevertFile_LaterChangeOnOtherLines_KeepsIt_AndOnTheSameLines_IsNull()
    {
        Commit(("env.yaml", "a: 1\nb: 1\nc: 1\nd: 1\ne: 1\n"));
        var promotion = Commit(("env.yaml", "a: 2\nb: 1\nc: 1\nd: 1\ne: 1\n"));
        var laterElsewhere = Commit(("env.yaml", "a: 2\nb: 1\nc: 1\nd: 1\ne: 3\n"));
        var laterSameLine = Commit(("env.yaml", "a: 4\nb: 1\nc: 1\nd: 1\ne: 3\n"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        Assert.Equal("a: 1\nb: 1\nc: 1\nd: 1\ne: 3\n", repository.RevertFile(promotion, laterElsewhere, 0, "env.yaml"));
        Assert.Null(repository.RevertFile(promotion, laterSameLine, 0, "env.yaml"));
    }

    [Fact]
    public void UpdateWorkingFile_FileAsCommitted_IsUpdatedButAUsersEditIsKept()
    {
        var commit = Commit(("env.yaml", "v1\n"), ("other.yaml", "v1\n"));
        using var repository = GitRepository.Discover(_folder.Path)!;
        var baseBlob = repository.FindFile(commit, "env.yaml")!.Id;
        var newBlob = repository.CreateBlob("v2\n"u8.ToArray());
        _folder.Write("other.yaml", "edited by hand\n");

        Assert.True(repository.UpdateWorkingFile("env.yaml", baseBlob, newBlob));
        Assert.False(repository.UpdateWorkingFile("other.yaml", repository.FindFile(commit, "other.yaml")!.Id, newBlob));

        Assert.Equal("v2\n", _folder.Read("env.yaml"));
        Assert.Equal("edited by hand\n", _folder.Read("other.yaml"));
        Assert.Contains("M  env.yaml", Testing.Git.Run(_folder.Path, "status", "--porcelain"), StringComparison.Ordinal);
    }

    [Fact]
    public void FetchAndPush_BareRemote_BringTheBranchAndSendATag_ANonFastForwardIsAGitException()
    {
        var commit = Commit(("a.txt", "a"));
        using var remoteFolder = new TempDirectory("mlops-git-remote");
        Testing.Git.Run(remoteFolder.Path, "init", "-q", "--bare");
        Testing.Git.Run(_folder.Path, "push", "-q", remoteFolder.Path, "main");
        using var cacheFolder = new TempDirectory("mlops-git-cache");
        using (var cache = GitRepository.OpenOrCreateBare(Path.Combine(cacheFolder.Path, "git")))
        {
            cache.SetRemote("origin", remoteFolder.Path);
            cache.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main");

            Assert.True(cache.IsBare);
            Assert.Equal(commit, cache.FindCommit("refs/remotes/origin/main")!.Sha);
            Assert.Null(cache.FindCommit("refs/remotes/origin/release"));
        }

        Testing.Git.Run(_folder.Path, "remote", "add", "origin", remoteFolder.Path);
        Testing.Git.Run(_folder.Path, "tag", "-a", "-m", "one", "churn@v1");
        using var repository = GitRepository.Discover(_folder.Path)!;
        Assert.Null(repository.Push("origin", "refs/tags/churn@v1:refs/tags/churn@v1"));
        Assert.Equal(commit, Testing.Git.Run(remoteFolder.Path, "rev-parse", "churn@v1^{commit}").Trim());
        Testing.Git.Run(_folder.Path, "commit", "-q", "--amend", "-m", "Rewritten");

        // A local remote rejects a non-fast-forward update as an error (a server's per-ref refusal comes back as the result).
        var error = Assert.Throws<GitException>(() => repository.Push("origin", "refs/heads/main:refs/heads/main"));

        Assert.Contains("fast", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(repository.HasRemote("upstream"));
        Assert.Throws<GitException>(() => repository.Push("upstream", "refs/heads/main:refs/heads/main"));
    }

    [Fact]
    public void Fetch_RemoteThatDoesNotExist_IsAGitException()
    {
        using var cache = GitRepository.OpenOrCreateBare(_folder.Combine("cache"));
        cache.SetRemote("origin", _folder.Combine("no-remote-here"));

        Assert.Throws<GitException>(() => cache.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main"));
    }

    [Fact]
    public void ConfiguredSignature_UserConfigured_IsThatUserAtTheGivenTime()
    {
        Commit(("a.txt", "a"));
        using var repository = GitRepository.Discover(_folder.Path)!;

        Assert.Equal(new GitSignature("Test User", "test@example.com", s_when), repository.ConfiguredSignature(s_when));
    }

    private string Commit(params (string Path, string Text)[] files)
    {
        if (!Directory.Exists(_folder.Combine(".git")))
        {
            Testing.Git.Run(_folder.Path, "init", "-q", "-b", "main");
        }

        Testing.Git.Run(_folder.Path, "config", "user.name", "Test User");
        Testing.Git.Run(_folder.Path, "config", "user.email", "test@example.com");
        foreach (var (path, text) in files)
        {
            _folder.Write(path, text);
        }

        Testing.Git.Run(_folder.Path, "add", "-A");
        return CommitStaged("Change " + string.Join(", ", files.Select(f => f.Path)));
    }

    private string CommitStaged(string message)
    {
        Testing.Git.Run(_folder.Path, "commit", "-q", "--allow-empty", "-m", message);
        return Testing.Git.Run(_folder.Path, "rev-parse", "HEAD").Trim();
    }
}
