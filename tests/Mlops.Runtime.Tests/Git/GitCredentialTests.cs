using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Git;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Git;

/// <summary>
/// Fetch and push through the git seam against a real git server over HTTP on 127.0.0.1 that requires basic
/// authentication (stock git's http-backend behind <see cref="GitHttpServer"/>), with tokens, a credential helper,
/// and none; and the server's reconcile from such a remote.
/// </summary>
public sealed class GitCredentialTests : IDisposable
{
    private const string Token = "tok-3f9a1c77e2d84b0c9a5e";
    private const string WrongToken = "tok-wrong-5b1d2e8c4f7a";

    private readonly TempDirectory _root = new("mlops-git-http");
    private readonly TempDirectory _work = new("mlops-git-http-work");
    private readonly GitHttpServer _server;
    private readonly string _url;
    private readonly string _head;

    public GitCredentialTests()
    {
        var source = _work.Combine("source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "README.md"), "served over http\n");
        Testing.Git.InitAndCommit(source);
        _head = Testing.Git.Run(source, "rev-parse", "HEAD").Trim();
        Testing.Git.Run(_root.Path, "clone", "-q", "--bare", source, "repo.git");
        _server = new GitHttpServer(_root.Path, GitCredentialSource.DefaultUser, Token);
        _url = _server.UrlOf("repo.git");
    }

    public void Dispose()
    {
        _server.Dispose();
        _root.Dispose();
        _work.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(GitCredentialSource.TokenVariable)]
    [InlineData(GitCredentialSource.GitHubTokenVariable)]
    public void Fetch_TokenInTheEnvironment_FetchesTheBranch(string variable)
    {
        using var git = Cache(_url);

        git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment((variable, Token)));

        Assert.Equal(_head, git.FindCommit("refs/remotes/origin/main")?.Sha);
        Assert.Contains(_server.Log, line => line.EndsWith(" 401", StringComparison.Ordinal)); // the server did ask
    }

    [Fact]
    public void Fetch_CredentialHelperAndNoToken_FetchesWithTheHelpersTokenAndTellsItSo()
    {
        var (config, log) = Helper(Token);
        using var git = Cache(_url);

        git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment(("GIT_CONFIG_GLOBAL", config)));

        Assert.Equal(_head, git.FindCommit("refs/remotes/origin/main")?.Sha);
        Assert.Equal(["get", "store"], File.ReadAllLines(log));
    }

    [Fact]
    public void Fetch_CredentialHelperWithAWrongToken_FailsNamingTheHelperAndTellsItToForget()
    {
        var (config, log) = Helper(WrongToken);
        using var git = Cache(_url);

        var error = Assert.Throws<GitException>(() => git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment(("GIT_CONFIG_GLOBAL", config))));

        Assert.StartsWith($"origin ({_url}) refused the credentials from the git credential helper: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(["get", "erase"], File.ReadAllLines(log));
        AssertNoToken(error.ToString());
    }

    [Fact]
    public void Fetch_TokenInTheEnvironment_NeverAsksTheHelper()
    {
        var (config, log) = Helper(WrongToken);
        using var git = Cache(_url);

        git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment(("GIT_CONFIG_GLOBAL", config), (GitCredentialSource.TokenVariable, Token)));

        Assert.Equal(_head, git.FindCommit("refs/remotes/origin/main")?.Sha);
        Assert.False(File.Exists(log));
    }

    [Fact]
    public void Push_RightToken_PushesABranchAndAnAnnotatedTag()
    {
        var clone = _work.Combine("clone");
        Testing.Git.Run(_work.Path, "clone", "-q", _root.Combine("repo.git"), clone);
        Testing.Git.Run(clone, "config", "user.name", "Test User");
        Testing.Git.Run(clone, "config", "user.email", "test@example.com");
        Testing.Git.Run(clone, "checkout", "-q", "-b", "promote/churn-v2-staging");
        File.WriteAllText(Path.Combine(clone, "README.md"), "promoted\n");
        Testing.Git.CommitAll(clone, "Promote churn v2 to staging");
        Testing.Git.Run(clone, "tag", "-a", "churn@v2", "-m", "churn v2");
        Testing.Git.Run(clone, "remote", "set-url", "origin", _url);
        var commit = Testing.Git.Run(clone, "rev-parse", "HEAD").Trim();
        using var git = GitRepository.Discover(clone)!;
        var credentials = Environment((GitCredentialSource.TokenVariable, Token));

        var branchRefused = git.Push("origin", "refs/heads/promote/churn-v2-staging:refs/heads/promote/churn-v2-staging", credentials);
        var tagRefused = git.Push("origin", "refs/tags/churn@v2:refs/tags/churn@v2", credentials);

        Assert.Null(branchRefused);
        Assert.Null(tagRefused);
        var bare = _root.Combine("repo.git");
        Assert.Equal(commit, Testing.Git.Run(bare, "rev-parse", "refs/heads/promote/churn-v2-staging").Trim());
        Assert.Equal(commit, Testing.Git.Run(bare, "rev-parse", "churn@v2^{commit}").Trim());
        Assert.Equal("tag", Testing.Git.Run(bare, "cat-file", "-t", "churn@v2").Trim());
    }

    [Fact]
    public void Fetch_WrongToken_FailsWithOneLineNamingTheRemoteAndTheVariable()
    {
        using var git = Cache(_url);

        var error = Assert.Throws<GitException>(() =>
            git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment((GitCredentialSource.TokenVariable, WrongToken))));

        Assert.Equal(
            $"origin ({_url}) refused the credentials from MLOPS_GIT_TOKEN: check that the token is valid, not expired and may read the repository, or {GitCredentialSource.WhatToSet}",
            error.Message);
        AssertNoToken(error.ToString());
    }

    [Fact]
    public void Push_WrongToken_FailsWithOneLineNamingTheRemoteAndWriting()
    {
        var clone = _work.Combine("clone");
        Testing.Git.Run(_work.Path, "clone", "-q", _root.Combine("repo.git"), clone);
        Testing.Git.Run(clone, "remote", "set-url", "origin", _url);
        using var git = GitRepository.Discover(clone)!;

        var error = Assert.Throws<GitException>(() =>
            git.Push("origin", "refs/heads/main:refs/heads/copy", Environment((GitCredentialSource.GitHubTokenVariable, WrongToken))));

        Assert.StartsWith($"origin ({_url}) refused the credentials from GITHUB_TOKEN: check that the token is valid, not expired and may write to the repository", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        AssertNoToken(error.ToString());
    }

    [Fact]
    public void Fetch_NoTokenAndNoHelper_FailsWithOneLineSayingWhatToSet()
    {
        using var git = Cache(_url);

        var error = Assert.Throws<GitException>(() => git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment()));

        Assert.Equal($"origin ({_url}) asks for credentials and none are set: {GitCredentialSource.WhatToSet}", error.Message);
        Assert.Contains("MLOPS_GIT_TOKEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_TokenWrittenIntoTheUrl_IsInNoMessage()
    {
        var withToken = _url.Replace("http://", $"http://someone:{WrongToken}@", StringComparison.Ordinal);
        using var git = Cache(withToken);

        var error = Assert.Throws<GitException>(() => git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment((GitCredentialSource.TokenVariable, WrongToken))));

        Assert.Contains($"origin ({_url})", error.Message, StringComparison.Ordinal);
        AssertNoToken(error.ToString());
    }

    [Theory]
    [InlineData("git@github.com:acme/models.git", "git remote set-url origin https://github.com/acme/models.git")]
    [InlineData("ssh://git@github.com/acme/models.git", "git remote set-url origin https://github.com/acme/models.git")]
    public void Fetch_SshRemote_SaysToUseHttpsWithAToken(string url, string command)
    {
        using var git = Cache(url);

        var error = Assert.Throws<GitException>(() => git.Fetch("origin", "+refs/heads/main:refs/remotes/origin/main", Environment()));

        Assert.Equal(
            $"origin ({url}) is an SSH remote, and mlops cannot reach SSH remotes (LibGit2Sharp 0.32 has no SSH transport): use its https URL ({command}) with a token in MLOPS_GIT_TOKEN",
            error.Message);
    }

    [Theory]
    [InlineData("https://github.com/acme/models.git", true)]
    [InlineData("http://127.0.0.1:8080/git/models.git", true)]
    [InlineData("http://localhost/models.git", true)]
    [InlineData("http://git.example.com/models.git", false)]
    [InlineData("/srv/git/models.git", false)]
    public void MaySendTo_OnlyHttpsOrLoopbackHttp(string url, bool expected) =>
        Assert.Equal(expected, GitCredentialSource.MaySendTo(url));

    [Fact]
    public async Task Reconcile_RemoteRequiringAToken_ServesItsPinWithTheToken()
    {
        using var repository = TestModels.Repository();
        using var storeFolder = new TempDirectory("mlops-git-http-store");
        var store = new LocalFolderStore(storeFolder.Path);
        var digest = TestModels.Put(store, 1);
        TestModels.WriteEnvironment(repository, TestModels.Pin(digest, 1));
        Testing.Git.InitAndCommit(repository.Path, "Promote churn v1 to staging");
        var commit = Testing.Git.Run(repository.Path, "rev-parse", "HEAD").Trim();
        Testing.Git.Run(_root.Path, "clone", "-q", "--bare", repository.Path, "declarations.git");
        var source = new GitDesiredStateSource(_server.UrlOf("declarations.git"), "main", "staging", _work.Combine("cache/git"),
            Environment((GitCredentialSource.TokenVariable, Token)));
        using var host = new ModelHost(source, store, "staging", new ModelHostOptions { CacheFolder = _work.Combine("cache/bundles") }, new FakeTimeProvider());

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.Synced, HealthStatus.Healthy, commit), (status.Sync, status.Health, status.ServedCommit));
        Assert.Equal(1, host.Snapshot.Models["churn"].Primary!.Version);
    }

    [Fact]
    public async Task Reconcile_RemoteRefusingTheToken_IsDegradedWithOneLineAndNoToken()
    {
        var source = new GitDesiredStateSource(_url, "main", "staging", _work.Combine("cache/git"),
            Environment((GitCredentialSource.TokenVariable, WrongToken)));
        using var storeFolder = new TempDirectory("mlops-git-http-store");
        using var host = new ModelHost(source, new LocalFolderStore(storeFolder.Path), "staging",
            new ModelHostOptions { CacheFolder = _work.Combine("cache/bundles") }, new FakeTimeProvider());

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Contains($"origin ({_url}) refused the credentials from MLOPS_GIT_TOKEN", status.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', status.Message!);
        AssertNoToken(status.Message!);
    }

    [Fact]
    public void Location_UrlWithAToken_ShowsTheUrlWithoutIt()
    {
        var source = new GitDesiredStateSource($"https://x-access-token:{Token}@github.com/acme/models.git", "main", "staging", _work.Combine("cache"));

        Assert.Equal("https://github.com/acme/models.git (main)", source.Location);
    }

    [Fact]
    public void GitCredentials_ToString_LeavesThePasswordOut() =>
        AssertNoToken(new GitCredentials(GitCredentialSource.DefaultUser, Token).ToString());

    private static void AssertNoToken(string text)
    {
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, text, StringComparison.Ordinal);
    }

    // A git configuration whose credential helper answers with the token and writes each action it is asked (get, store, erase) to the log.
    private (string Config, string Log) Helper(string token)
    {
        var log = _work.Combine("helper-" + Guid.NewGuid().ToString("N") + ".log");
        var config = _work.Write("helper-" + Guid.NewGuid().ToString("N") + ".gitconfig",
            $"[credential]\n\thelper = \"!f() {{ echo \\\"$1\\\" >> {log}; if test \\\"$1\\\" = get; then echo username={GitCredentialSource.DefaultUser}; echo password={token}; fi; }}; f\"\n");
        return (config, log);
    }

    private GitRepository Cache(string url)
    {
        var git = GitRepository.OpenOrCreateBare(_work.Combine("cache-" + Guid.NewGuid().ToString("N")));
        git.SetRemote("origin", url);
        return git;
    }

    // Only the variables given, with git's configuration pointed at an empty file, so neither the machine's tokens
    // nor its credential helpers take part.
    private GitCredentialSource Environment(params (string Name, string Value)[] variables)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_CONFIG_GLOBAL"] = _work.Write("empty.gitconfig", ""),
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["HOME"] = _work.Path,
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        };
        foreach (var (name, value) in variables)
        {
            values[name] = value;
        }

        return GitCredentialSource.FromEnvironment(name => values.GetValueOrDefault(name));
    }
}
