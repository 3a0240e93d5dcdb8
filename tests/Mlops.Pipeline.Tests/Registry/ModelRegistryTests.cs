using LibGit2Sharp;
using Mlops.Declarations.FeatureSets;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.Tests.Registry;

public sealed class ModelRegistryTests
{
    internal const string BundleA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    internal const string BundleB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    internal const string SchemaDigest = "sha256:5555555555555555555555555555555555555555555555555555555555555555";

    [Fact]
    public void Register_FirstVersion_CreatesAnnotatedTagV1OnTheCommitThatStockGitAccepts()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        git.Commit("A later commit", ("README.md", "later\n"));

        var result = new ModelRegistry(git.Path, git.Time).Register(Registration(BundleA, commit));

        Assert.True(result.Created);
        Assert.Equal("churn@v1", result.Version.Tag);
        Assert.Equal(commit, git.Git("rev-parse", "churn@v1^{commit}").Trim());
        Assert.Equal("tag", git.Git("cat-file", "-t", "churn@v1").Trim());
        Assert.Equal("churn@v1        churn v1: bundle sha256:aaaaaaaaaaaa\n", git.Git("tag", "-n"));
        git.AssertFsckClean();
    }

    [Fact]
    public void Register_TaggerAndDate_ComeFromGitConfigAndTheInjectedClock()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));

        new ModelRegistry(git.Path, git.Time).Register(Registration(BundleA, commit));

        var tagger = git.Git("for-each-ref", "--format=%(taggername) %(taggeremail) %(taggerdate:iso-strict)", "refs/tags/churn@v1").Trim();
        Assert.Equal($"Ada Tester <ada@example.invalid> {git.Time.GetUtcNow():yyyy-MM-ddTHH:mm:ss}+00:00", tagger);
    }

    [Fact]
    public void Register_TagMessage_HoldsDigestsRunAndMetricsAsKeyValueLines()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));

        new ModelRegistry(git.Path, git.Time).Register(Registration(BundleA, commit));

        var message = git.Git("for-each-ref", "--format=%(contents)", "refs/tags/churn@v1");
        Assert.Equal($"""
            churn v1: bundle sha256:aaaaaaaaaaaa

            model: churn
            version: 1
            bundle: {BundleA}
            featureSet: customer@3
            featureSetDigest: {SchemaDigest}
            run: 20261123-080000-abcd
            metrics:
              auc: 0.8291
              "recall[contract=One year]": 0.61


            """, message);
    }

    [Fact]
    public void Register_WithExistingVersions_TakesHighestPlusOne()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(BundleA, commit));
        git.Git("tag", "churn@v5", commit); // a lightweight tag still takes its number

        var result = registry.Register(Registration(BundleB, commit));

        Assert.Equal(6, result.Version.Version);
        Assert.Equal([1, 6], registry.List("churn").Select(v => v.Version));
    }

    [Fact]
    public void Register_WithPackedTags_SeesThemAndAddsTheNextVersion()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(BundleA, commit));
        git.Git("pack-refs", "--all");

        var result = registry.Register(Registration(BundleB, commit));

        Assert.Equal(2, result.Version.Version);
        Assert.Equal("churn@v1\nchurn@v2\n", git.Git("tag", "--list"));
        git.AssertFsckClean();
    }

    [Fact]
    public void Register_SameBundleAgain_ReturnsTheExistingVersionWithoutANewTag()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(BundleA, commit));

        var again = registry.Register(Registration(BundleA, commit));

        Assert.False(again.Created);
        Assert.Equal(1, again.Version.Version);
        Assert.Equal("churn@v1\n", git.Git("tag", "--list"));
    }

    [Fact]
    public void Register_UnknownCommit_IsRefusedWithoutATag()
    {
        using var git = new GitTestRepository();
        git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));

        var error = Assert.Throws<RegistryException>(() =>
            new ModelRegistry(git.Path, git.Time).Register(Registration(BundleA, "0123456789012345678901234567890123456789")));

        Assert.Equal(RegistryError.CommitNotFound, error.Error);
        Assert.StartsWith("commit '0123456789012345678901234567890123456789' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal("", git.Git("tag", "--list"));
    }

    [Fact]
    public void Register_MalformedFields_ReportsEveryProblemInOneError()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var registration = new ModelRegistration("Churn", commit, "sha256:123") { FeatureSetDigest = "md5:x" };

        var error = Assert.Throws<RegistryException>(() => new ModelRegistry(git.Path, git.Time).Register(registration));

        Assert.Equal(RegistryError.InvalidRegistration, error.Error);
        Assert.Equal(
            "the registration of 'Churn' cannot be written: the model name 'Churn' is not a valid name (lowercase letters, digits, '_' and '-', starting with a letter); "
            + "the bundle digest 'sha256:123' is not 'sha256:' followed by 64 lowercase hex digits; "
            + "the feature set digest 'md5:x' is not 'sha256:' followed by 64 lowercase hex digits. Correct them and register again.",
            error.Message);
    }

    [Fact]
    public void List_ReadsBackDigestFeatureSetRunMetricsCommitAndDate()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        new ModelRegistry(git.Path, git.Time).Register(Registration(BundleA, commit));

        var version = Assert.Single(new ModelRegistry(git.Path).List("churn"));

        Assert.Equal(("churn", 1, BundleA, commit), (version.Model, version.Version, version.BundleDigest, version.Commit));
        Assert.Equal(new FeatureSetReference("customer", 3), version.FeatureSet);
        Assert.Equal(SchemaDigest, version.FeatureSetDigest);
        Assert.Equal("20261123-080000-abcd", version.RunId);
        Assert.Equal([new ModelMetric("auc", 0.8291), new ModelMetric("recall[contract=One year]", 0.61)], version.Metrics);
        Assert.Equal(git.Time.GetUtcNow(), version.Date);
        Assert.Equal("Ada Tester <ada@example.invalid>", version.Tagger);
    }

    [Fact]
    public void List_WithoutModel_GivesEveryModelByNameThenVersion()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add two models", ("models/churn.yaml", "model: churn\n"), ("models/abandon.yaml", "model: abandon\n"));
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(BundleA, commit));
        registry.Register(Registration(BundleB, commit));
        registry.Register(Registration(BundleA, commit) with { Model = "abandon" });

        Assert.Equal(["abandon@v1", "churn@v1", "churn@v2"], registry.List().Select(v => v.Tag));
    }

    [Fact]
    public void Resolve_TagNameOrModelName_GivesThatOrTheLatestVersion()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(BundleA, commit));
        registry.Register(Registration(BundleB, commit));

        Assert.Equal(BundleA, registry.Resolve("churn@v1").BundleDigest);
        Assert.Equal(2, registry.Resolve("churn").Version);
    }

    [Fact]
    public void Resolve_UnregisteredVersion_SaysHowToFindTheRegisteredOnes()
    {
        using var git = new GitTestRepository();
        git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));

        var error = Assert.Throws<RegistryException>(() => new ModelRegistry(git.Path).Resolve("churn@v9"));

        Assert.Equal(RegistryError.NotRegistered, error.Error);
        Assert.Equal("churn@v9 is not registered (no such tag). List the versions with 'mlops registry list churn', or package the model first.", error.Message);
    }

    [Fact]
    public void Find_TagWithoutRegistryMessage_IsReportedAsMalformedAndLeftOutOfTheList()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        git.Git("tag", "-a", "churn@v3", "-m", "hand-made", commit);
        var registry = new ModelRegistry(git.Path);

        var error = Assert.Throws<RegistryException>(() => registry.Find("churn", 3));

        Assert.Equal(RegistryError.MalformedTag, error.Error);
        Assert.Contains("git tag -d churn@v3", error.Message, StringComparison.Ordinal);
        Assert.Empty(registry.List("churn"));
    }

    [Fact]
    public async Task FindMissingBundles_TagWhoseBundleIsNotInTheStore_IsListed()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        var store = new InMemoryBundleStore();
        var present = store.Put("bundle one");
        var registry = new ModelRegistry(git.Path, git.Time);
        registry.Register(Registration(present, commit));
        registry.Register(Registration(BundleB, commit));

        var missing = await registry.FindMissingBundlesAsync(store, "churn", TestContext.Current.CancellationToken);

        Assert.Equal(["churn@v2"], missing.Select(v => v.Tag));
        var error = await Assert.ThrowsAsync<RegistryException>(() => ModelRegistry.EnsureBundleAsync(missing[0], store, TestContext.Current.CancellationToken));
        Assert.Equal(RegistryError.BundleMissing, error.Error);
        Assert.StartsWith($"tag churn@v2 points to bundle {BundleB}, which is not in the store at memory://test.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_TwoRacingForTheSameVersion_OneWinsTheOtherGetsAClearError()
    {
        using var git = new GitTestRepository();
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        using var bothChose = new Barrier(2);
        ModelRegistry Racer() => new(git.Path, git.Time) { VersionChosen = _ => bothChose.SignalAndWait(TimeSpan.FromSeconds(10)) };
        var first = Racer();
        var second = Racer();

        var outcomes = await Task.WhenAll(
            Task.Run(() => Outcome(() => first.Register(Registration(BundleA, commit))), TestContext.Current.CancellationToken),
            Task.Run(() => Outcome(() => second.Register(Registration(BundleB, commit))), TestContext.Current.CancellationToken));

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        var loser = Assert.Single(outcomes, o => o.Error is not null).Error!;
        Assert.Equal(1, winner.Version.Version);
        Assert.Equal(RegistryError.VersionTaken, loser.Error);
        Assert.StartsWith("tag churn@v1 already exists: another registration of churn took v1 while this one was being written. Nothing was changed; register again", loser.Message, StringComparison.Ordinal);
        Assert.Equal(winner.Version.BundleDigest, Assert.Single(new ModelRegistry(git.Path).List()).BundleDigest);
        git.AssertFsckClean();
    }

    [Fact]
    public void Push_ToABareRemote_PublishesTheTag()
    {
        using var git = new GitTestRepository();
        using var remote = new GitTestRepository(bare: true);
        var commit = git.Commit("Add the churn model", ("models/churn.yaml", "model: churn\n"));
        git.Git("remote", "add", "origin", remote.Path);
        git.Git("push", "origin", "main");
        var registry = new ModelRegistry(git.Path, git.Time);
        var version = registry.Register(Registration(BundleA, commit)).Version;

        registry.Push(version, "origin");

        Assert.Equal(commit, remote.Git("rev-parse", "churn@v1^{commit}").Trim());
        remote.AssertFsckClean();
    }

    internal static ModelRegistration Registration(string bundle, string commit) => new("churn", commit, bundle)
    {
        FeatureSet = new FeatureSetReference("customer", 3),
        FeatureSetDigest = SchemaDigest,
        RunId = "20261123-080000-abcd",
        Metrics = [new ModelMetric("auc", 0.8291), new ModelMetric("recall[contract=One year]", 0.61)],
    };

    private static (RegistrationResult? Result, RegistryException? Error) Outcome(Func<RegistrationResult> register)
    {
        try
        {
            return (register(), null);
        }
        catch (RegistryException e)
        {
            return (null, e);
        }
    }
}
