using Microsoft.Extensions.Time.Testing;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Testing;

using Mlops.Runtime.Tests.Features;

namespace Mlops.Runtime.Tests.Reconcile;

/// <summary>Where the host reads declarations from in a test: a folder (a checkout), or a git remote it fetches.</summary>
public enum SourceKind
{
    Folder,
    Git,
}

/// <summary>
/// The host reads declarations with the loader and cross-references of <c>mlops validate</c>: an environment whose
/// declarations have errors is not applied, the old state keeps serving and the status lists the diagnostics. Each
/// case runs against a real folder and against a real git remote whose branch tip the host follows.
/// </summary>
public sealed class DeclarationErrorsTests : IDisposable
{
    private const string EditedFeatureSetYaml = """
        featureSet: customer
        version: 1
        entity: customer_id
        features:
          - { name: tenure, type: float, min: 0 }
          - { name: contract, type: category, values: [Month-to-month, One year, Two year, Three year] }
          - { name: total_charges, type: float, nullable: true }
        """;

    private readonly TempDirectory _repository = TestModels.Repository();
    private readonly TempDirectory _storeFolder = new("mlops-declarations-store");
    private readonly TempDirectory _cache = new("mlops-declarations-cache");
    private readonly LocalFolderStore _store;

    public DeclarationErrorsTests() => _store = new LocalFolderStore(_storeFolder.Path);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FeatureSet EditedFeatureSet => TestModels.FeatureSet with
    {
        Features = [.. TestModels.FeatureSet.Features.Select(f => f.Name == "contract" ? f with { Values = [.. f.Values, "Three year"] } : f)],
    };

    public void Dispose()
    {
        _repository.Dispose();
        _storeFolder.Dispose();
        _cache.Dispose();
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_PinnedFeatureSetEditedInPlace_KeepsThePreviousStateAndIsDegradedWithMlops0308(SourceKind kind)
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2, trainedOn: EditedFeatureSet);
        var schema = TestModels.FeatureSet.SchemaDigest;
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1, extra: $"    featureSetDigest: {schema}\n"));
        using var host = CreateHost(kind);
        var first = await host.ReconcileAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, first.Health);

        // The category list of the pinned customer@1 grows in place, and v2 (trained on the edited list) is pinned
        // with the digest the environment recorded for customer@1: what `mlops validate` reports as MLOPS0308.
        _repository.Write("features/customer.yaml", EditedFeatureSetYaml);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2, extra: $"    featureSetDigest: {schema}\n"));
        var refused = Apply(kind, "Edit customer@1 in place and pin v2");
        var status = await host.ReconcileAsync(Ct);

        var validation = await ValidationErrorsAsync();
        var line = Assert.Single(status.Diagnostics);
        Assert.StartsWith("environments/staging.yaml(7,23): error MLOPS0308: ", line, StringComparison.Ordinal);
        Assert.Equal(validation, status.Diagnostics);
        Assert.Equal((SyncStatus.OutOfSync, HealthStatus.Degraded), (status.Sync, status.Health));
        Assert.Contains("MLOPS0308", status.Message, StringComparison.Ordinal);
        Assert.Equal(first.ServedCommit, status.ServedCommit);
        Assert.Equal(refused ?? status.DesiredCommit, status.DesiredCommit);
        Assert.NotEqual(first.ServedCommit, status.DesiredCommit);
        var model = Assert.Single(status.Models);
        Assert.Equal((HealthStatus.Degraded, 1), (model.Health, model.Served!.Version));
        Assert.Contains("v1 keeps serving", model.Message, StringComparison.Ordinal);

        // Nothing trained on the edited schema is served, nor even loaded; v1 still answers with the schema it was loaded with.
        Assert.Null(host.Snapshot.FindVersion("churn", 2));
        Assert.DoesNotContain(host.Snapshot.Retained, r => r.Model.Digest == two);
        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(), "r");
        Assert.Equal((1, one, first.ServedCommit), (answer.Version, answer.Digest, answer.Commit));
        Assert.DoesNotContain("Three year", host.Snapshot.Models["churn"].Primary!.Manifest.Inputs.Single(i => i.Name == "contract").Values);
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_InPlaceEditReverted_AppliesThePinAndClearsTheDiagnostics(SourceKind kind)
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        var schema = TestModels.FeatureSet.SchemaDigest;
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1, extra: $"    featureSetDigest: {schema}\n"));
        using var host = CreateHost(kind);
        await host.ReconcileAsync(Ct);
        _repository.Write("features/customer.yaml", EditedFeatureSetYaml);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2, extra: $"    featureSetDigest: {schema}\n"));
        Apply(kind, "Edit customer@1 in place and pin v2");
        Assert.Equal(HealthStatus.Degraded, (await host.ReconcileAsync(Ct)).Health);

        _repository.Write("features/customer.yaml", TestModels.FeatureSetYaml);
        Apply(kind, "Restore customer@1");
        var status = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.Synced, HealthStatus.Healthy), (status.Sync, status.Health));
        Assert.Empty(status.Diagnostics);
        Assert.Null(status.Message);
        Assert.Equal(two, host.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_PinnedFeatureSetDeleted_KeepsServingAndNamesTheMissingFeatureSet(SourceKind kind)
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1));
        using var host = CreateHost(kind);
        var first = await host.ReconcileAsync(Ct);

        File.Delete(_repository.Combine("features/customer.yaml"));
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2));
        Apply(kind, "Delete customer@1 and pin v2");
        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Contains(status.Diagnostics, d => d.StartsWith("environments/staging.yaml(6,17): error MLOPS0201: feature set 'customer' is not declared", StringComparison.Ordinal));
        Assert.Contains(status.Diagnostics, d => d.StartsWith("models/churn.yaml(3,13): error MLOPS0201: ", StringComparison.Ordinal));
        Assert.DoesNotContain(status.Diagnostics, d => d.StartsWith("models/churn-rules.yaml", StringComparison.Ordinal)); // not pinned here
        Assert.Subset((await ValidationErrorsAsync()).ToHashSet(), status.Diagnostics.ToHashSet());
        Assert.Equal(first.ServedCommit, status.ServedCommit);
        Assert.Equal(one, host.Snapshot.Models["churn"].Primary!.Digest);
        Assert.Null(host.Snapshot.FindVersion("churn", 2));
    }

    [Theory]
    [InlineData(SourceKind.Folder, "features/customer.yaml", "MLOPS0002")]
    [InlineData(SourceKind.Git, "features/customer.yaml", "MLOPS0002")]
    [InlineData(SourceKind.Folder, "models/churn.yaml", "MLOPS0002")]
    [InlineData(SourceKind.Git, "models/churn.yaml", "MLOPS0002")]
    [InlineData(SourceKind.Folder, "features/other.yaml", "MLOPS0004")]
    [InlineData(SourceKind.Git, "features/other.yaml", "MLOPS0004")]
    public async Task Reconcile_BrokenFileTheEnvironmentDependsOn_KeepsServingAndNamesTheFile(SourceKind kind, string path, string id)
    {
        var one = TestModels.Put(_store, 1);
        var two = TestModels.Put(_store, 2);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1));
        using var host = CreateHost(kind);
        var first = await host.ReconcileAsync(Ct);

        _repository.Write(path, id == "MLOPS0004" ? [0x66, 0x65, 0xE9, 0x0A] : "featureSet: [broken\n"u8.ToArray());
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2));
        Apply(kind, $"Break {path} and pin v2");
        var status = await host.ReconcileAsync(Ct);

        Assert.Equal((SyncStatus.OutOfSync, HealthStatus.Degraded), (status.Sync, status.Health));
        Assert.Contains(status.Diagnostics, d => d.StartsWith($"{path}(", StringComparison.Ordinal) && d.Contains($": error {id}: ", StringComparison.Ordinal));
        Assert.Equal(first.ServedCommit, status.ServedCommit);
        Assert.Equal(one, host.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_OversizedFeatureSetFile_IsRefusedWithMlops0005(SourceKind kind)
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        _repository.Write("features/dump.yaml", new byte[DeclarationFiles.MaxBytes + 1]);
        Apply(kind, "Commit a data dump into features/");
        using var host = CreateHost(kind);

        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.StartsWith("features/dump.yaml(1,1): error MLOPS0005: the file has 4,194,305 bytes", Assert.Single(status.Diagnostics), StringComparison.Ordinal);
        Assert.Empty(host.Snapshot.Models);
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_ErrorsOnlyInAnotherModelAndEnvironment_AppliesTheEnvironment(SourceKind kind)
    {
        var two = TestModels.Put(_store, 2);
        _repository.Write("models/upsell.yaml", "model: [broken\n");
        _repository.Write("environments/production.yaml", "environment: production\nmodels:\n  - { model: nowhere, version: 1, digest: nope }\n");
        TestModels.WriteEnvironment(_repository, TestModels.Pin(two, 2));
        Apply(kind, "Pin v2 next to someone else's broken files");
        using var host = CreateHost(kind);

        var status = await host.ReconcileAsync(Ct);

        var validation = await ValidationErrorsAsync();
        Assert.Contains(validation, d => d.StartsWith("models/upsell.yaml(", StringComparison.Ordinal));
        Assert.Contains(validation, d => d.StartsWith("environments/production.yaml(", StringComparison.Ordinal));
        Assert.Equal((SyncStatus.Synced, HealthStatus.Healthy), (status.Sync, status.Health));
        Assert.Empty(status.Diagnostics);
        Assert.Equal(two, host.Snapshot.Models["churn"].Primary!.Digest);
    }

    [Theory]
    [InlineData(SourceKind.Folder)]
    [InlineData(SourceKind.Git)]
    public async Task Reconcile_YmlFeatureSetInASubfolder_IsReadAsValidationReadsIt(SourceKind kind)
    {
        var one = TestModels.Put(_store, 1);
        File.Delete(_repository.Combine("features/customer.yaml"));
        _repository.Write("features/crm/customer.yml", TestModels.FeatureSetYaml);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(one, 1, extra: $"    featureSetDigest: {TestModels.FeatureSet.SchemaDigest}\n"));
        Apply(kind, "Move customer@1 into features/crm/customer.yml");
        var source = CreateSource(kind);
        using var host = CreateHost(source);

        var desired = await source.ReadAsync(Ct);
        var status = await host.ReconcileAsync(Ct);

        Assert.Equal(TestModels.FeatureSet.SchemaDigest, desired.FeatureSets[new FeatureSetReference("customer", 1)].SchemaDigest);
        Assert.Equal(HealthStatus.Healthy, status.Health);
        Assert.Equal("customer_id", host.Snapshot.Models["churn"].Entity); // the entity key comes from the feature set
    }

    [Fact]
    public async Task Run_FolderSource_AFeatureSetEditInASubfolderIsSeenWithoutWaitingForThePoll()
    {
        _repository.Write("features/crm/.keep", "");
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1, extra: $"    featureSetDigest: {TestModels.FeatureSet.SchemaDigest}\n"));
        using var host = CreateHost(SourceKind.Folder); // the fake clock never reaches the poll interval
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = host.RunAsync(stop.Token);
        await WaitForAsync(() => host.Status.Health == HealthStatus.Healthy);

        File.Delete(_repository.Combine("features/customer.yaml"));
        _repository.Write("features/crm/customer.yml", EditedFeatureSetYaml);
        await WaitForAsync(() => host.Status.Diagnostics.Any(d => d.Contains("MLOPS0308", StringComparison.Ordinal)));

        await stop.CancelAsync();
        await running;
        Assert.Equal(HealthStatus.Degraded, host.Status.Health);
    }

    [Fact]
    public async Task FolderSource_CleanCheckout_IsHeadAndAnUncommittedFeatureSetEditIsAContentHash()
    {
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(_store, 1), 1));
        Testing.Git.InitAndCommit(_repository.Path);
        var head = Testing.Git.Run(_repository.Path, "rev-parse", "HEAD").Trim();
        var source = new FolderDesiredStateSource(_repository.Path, "staging");

        var clean = await source.ReadAsync(Ct);
        _repository.Write("features/customer.yaml", TestModels.FeatureSetYaml + "\ndescription: edited\n");
        var edited = await source.ReadAsync(Ct);
        var again = await source.ReadAsync(Ct);

        Assert.Equal(head, clean.Commit);
        Assert.StartsWith("content-", edited.Commit, StringComparison.Ordinal);
        Assert.Equal(edited.Commit, again.Commit);
    }

    [Fact]
    public async Task FolderSource_NoEnvironmentFile_SaysWhichFileAndWhatToCheck()
    {
        var source = new FolderDesiredStateSource(_repository.Path, "production");

        var error = await Assert.ThrowsAsync<DesiredStateException>(() => source.ReadAsync(Ct));

        Assert.Equal($"{_repository.Combine("environments/production.yaml")}: cannot be read (the file does not exist). Check --repo and --environment.", error.Message);
        Assert.Empty(error.Diagnostics);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(condition(), "the host did not get there in 10 s");
    }

    /// <summary>What <c>mlops validate</c> reports as errors for the repository as it is now.</summary>
    private async Task<IReadOnlyList<string>> ValidationErrorsAsync() =>
        [.. (await RepositoryLoader.LoadAsync(_repository.Path, Ct)).Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.ToString())];

    /// <summary>For the git source, commits what the test changed (as a merged pull request) and returns the sha.</summary>
    private string? Apply(SourceKind kind, string message)
    {
        if (kind == SourceKind.Folder)
        {
            return null;
        }

        if (!Directory.Exists(_repository.Combine(".git")))
        {
            Testing.Git.InitAndCommit(_repository.Path, message);
        }
        else
        {
            Testing.Git.CommitAll(_repository.Path, message);
        }

        return Testing.Git.Run(_repository.Path, "rev-parse", "HEAD").Trim();
    }

    private IDesiredStateSource CreateSource(SourceKind kind) => kind == SourceKind.Folder
        ? new FolderDesiredStateSource(_repository.Path, "staging")
        : new GitDesiredStateSource(_repository.Path, "main", "staging", Path.Combine(_cache.Path, "git"));

    private ModelHost CreateHost(SourceKind kind)
    {
        if (kind == SourceKind.Git && !Directory.Exists(_repository.Combine(".git")))
        {
            Apply(kind, "Initial declarations");
        }

        return CreateHost(CreateSource(kind));
    }

    private ModelHost CreateHost(IDesiredStateSource source) =>
        new(source, _store, "staging", new ModelHostOptions { CacheFolder = Path.Combine(_cache.Path, "bundles") }, new FakeTimeProvider());
}
