using LibGit2Sharp;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

public sealed class GitStateTests
{
    private static readonly Signature s_author = new("Test", "test@example.invalid", new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Read_OutsideAGitRepository_GivesNoCommitRatherThanAnError()
    {
        using var folder = new TempDirectory("mlops-git");

        Assert.Equal(GitState.None, GitState.Read(folder.Path));
    }

    [Fact]
    public void Read_RepositoryWithoutCommits_GivesNoCommit()
    {
        using var folder = new TempDirectory("mlops-git");
        Repository.Init(folder.Path);

        Assert.Equal(GitState.None, GitState.Read(folder.Path));
    }

    [Fact]
    public void Read_CleanWorkTree_GivesHeadCommitBranchAndNotDirty()
    {
        using var folder = new TempDirectory("mlops-git");
        var commit = InitWithCommit(folder);

        Assert.Equal(new GitState(commit, false, "main"), GitState.Read(folder.Path));
    }

    [Fact]
    public void Read_FromASubfolder_FindsTheRepositoryAbove()
    {
        using var folder = new TempDirectory("mlops-git");
        var commit = InitWithCommit(folder);
        folder.Write("models/readme.txt", "x");

        Assert.Equal(commit, GitState.Read(folder.Combine("models")).Commit);
    }

    [Fact]
    public void Read_TrackedFileChanged_IsDirtyUntilCommitted()
    {
        using var folder = new TempDirectory("mlops-git");
        var first = InitWithCommit(folder);

        folder.Write("models/churn.yaml", "model: churn\ndescription: changed\n");
        var dirty = GitState.Read(folder.Path);
        using (var repository = new Repository(folder.Path))
        {
            Commands.Stage(repository, "models/churn.yaml");
            repository.Commit("Change the description", s_author, s_author);
        }

        var clean = GitState.Read(folder.Path);

        Assert.Equal(new GitState(first, true, "main"), dirty);
        Assert.False(clean.Dirty);
        Assert.NotEqual(first, clean.Commit);
        Assert.Equal(40, clean.Commit?.Length);
    }

    [Fact]
    public void Read_UntrackedFile_DoesNotMakeItDirty()
    {
        using var folder = new TempDirectory("mlops-git");
        InitWithCommit(folder);

        folder.Write("notes.txt", "scratch");

        Assert.False(GitState.Read(folder.Path).Dirty);
    }

    private static string InitWithCommit(TempDirectory folder)
    {
        Repository.Init(folder.Path);
        using var repository = new Repository(folder.Path);
        repository.Refs.UpdateTarget("HEAD", "refs/heads/main"); // Repository.Init names the first branch master
        folder.Write("models/churn.yaml", "model: churn\n");
        Commands.Stage(repository, "models/churn.yaml");
        return repository.Commit("Add the churn model", s_author, s_author).Sha;
    }
}
