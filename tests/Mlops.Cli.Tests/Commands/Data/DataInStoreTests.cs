using System.Text.Json;
using Amazon.S3.Model;
using Mlops.Runtime.Tests.Store;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Data;

/// <summary>
/// Issue 17's "data too large for git": a model whose data lives only in the store (S3 on moto_server), not in git,
/// validates, trains and reproduces from a fresh clone; a changed object fails with its digest named.
/// </summary>
public sealed class DataInStoreTests(MotoServerFixture moto) : IClassFixture<MotoServerFixture>
{
    private const int Timeout = 300_000;

    [Fact]
    public async Task FreshClone_DataOnlyInS3_ValidatesTrainsAndReproduces_WithTheSameDataDigestAsInGit()
    {
        using var repo = new ExampleRepository();
        var store = StoreOn("done-when");
        var declared = DeclaredDigest(repo);

        // The same model with its file in git, for the lineage the store-backed one must match.
        using var inGit = new ExampleRepository();
        Git.InitAndCommit(inGit.Path);
        var inGitRun = await TrainAndShowRunAsync(inGit.Path);

        var push = await CliRunner.SucceedAsync("data", "push", repo.Combine("data/telco-churn.csv"), "--repo", repo.Path, "--store", store);
        Assert.Equal(declared, push.Lines[0]);
        Assert.Equal(["data:", $"  digest: {declared}", "  split: { holdout: 0.2, seed: 42 }"], push.Lines[^3..]);

        repo.Replace("models/churn.yaml", "  path: data/telco-churn.csv\n", "");
        File.Delete(repo.Combine("data/telco-churn.csv"));
        Git.InitAndCommit(repo.Path);
        using var clone = new TempDirectory("mlops-clone");
        Git.Run(clone.Path, "clone", "-q", repo.Path, ".");
        Git.Run(clone.Path, "config", "user.name", "Test User");
        Git.Run(clone.Path, "config", "user.email", "test@example.com");
        Assert.DoesNotContain("telco-churn.csv", Git.Run(clone.Path, "ls-files"), StringComparison.Ordinal);

        await CliRunner.SucceedAsync("validate", "--repo", clone.Path, "--store", store);
        var cloneRun = await TrainAndShowRunAsync(clone.Path, "--store", store);
        await CliRunner.SucceedAsync("evaluate", "--repo", clone.Path, "--store", store);
        await CliRunner.SucceedAsync("package", "--repo", clone.Path, "--store", store);
        var reproduce = await CliRunner.SucceedAsync("reproduce", "churn@v1", "--repo", clone.Path, "--store", store);

        Assert.StartsWith("reproduce churn@v1: identical, bundle sha256:", reproduce.Out, StringComparison.Ordinal);
        Assert.Equal(declared, cloneRun.GetProperty("dataDigest").GetString());
        Assert.Equal(inGitRun.GetProperty("dataDigest").GetString(), cloneRun.GetProperty("dataDigest").GetString());
        Assert.Equal(inGitRun.GetProperty("cacheKey").GetString(), cloneRun.GetProperty("cacheKey").GetString());
        Assert.True(File.Exists(clone.Combine(".mlops/data/" + declared["sha256:".Length..])), "the fetched copy is not in the cache");
        Assert.Equal("*", File.ReadAllLines(clone.Combine(".mlops/data/.gitignore"))[^1]);
    }

    [Fact]
    public async Task FreshClone_NoStoreGiven_ValidationNamesTheModelTheDigestAndHowToGiveTheStore()
    {
        using var repo = DigestOnlyRepository(out var digest);

        var result = await CliRunner.RunAsync("validate", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        var line = Assert.Single(result.Lines, l => l.Contains("MLOPS0415", StringComparison.Ordinal));
        Assert.StartsWith("models/churn.yaml(9,", line, StringComparison.Ordinal);
        Assert.Contains($"error MLOPS0415: model 'churn' keeps its data in the store (its 'data' has a digest and no path), and it cannot be fetched: data {digest} is not in the store at {repo.Combine(".mlops/store/data")}.", line, StringComparison.Ordinal);
        Assert.EndsWith("Push the file there with 'mlops data push FILE', or point --store (or MLOPS_STORE) at the store that holds it.", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(repo.Combine(".mlops/data")) && Directory.EnumerateFiles(repo.Combine(".mlops/data"), "*", SearchOption.AllDirectories).Any(f => !f.EndsWith(".gitignore", StringComparison.Ordinal)));
    }

    [Fact(Timeout = Timeout)]
    public async Task Train_ObjectChangedInTheStore_FailsNamingTheDigest_AndCachesNothing()
    {
        var store = StoreOn("changed");
        using var repo = DigestOnlyRepository(out var digest);
        using (var source = new ExampleRepository())
        {
            await CliRunner.SucceedAsync("data", "push", source.Combine("data/telco-churn.csv"), "--repo", repo.Path, "--store", store);
        }

        var changed = File.ReadAllText(RepositoryRoot.Combine("data/telco-churn.csv")).Replace("Yes", "No", StringComparison.Ordinal);
        await moto.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = MotoServerFixture.Bucket,
            Key = "changed/data/sha256/" + digest["sha256:".Length..],
            ContentBody = changed,
        }, TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync("train", "--repo", repo.Path, "--store", store);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        var line = Assert.Single(result.Lines, l => l.Contains("MLOPS0415", StringComparison.Ordinal));
        Assert.Contains($"data {digest} in the store at s3://{MotoServerFixture.Bucket}/changed/data?endpoint=", line, StringComparison.Ordinal);
        Assert.Contains("is corrupt: its bytes hash to sha256:", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateFiles(repo.Combine(".mlops/data")), f => !f.EndsWith(".gitignore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DataPull_ByModel_WritesTheVerifiedFile_AndPullOfAnUnknownDigestExitsTwo()
    {
        var store = StoreOn("pull");
        using var repo = DigestOnlyRepository(out var digest);
        using (var source = new ExampleRepository())
        {
            await CliRunner.SucceedAsync("data", "push", source.Combine("data/telco-churn.csv"), "--repo", repo.Path, "--store", store);
        }

        var pulled = await CliRunner.SucceedAsync("data", "pull", "--model", "churn", "--output", repo.Combine("data/telco-churn.csv"), "--repo", repo.Path, "--store", store);
        var missing = await CliRunner.RunAsync("data", "pull", "sha256:" + new string('0', 64), "--repo", repo.Path, "--store", store);

        Assert.Equal($"pulled {digest} from s3://{MotoServerFixture.Bucket}/pull/data?endpoint={moto.Endpoint.GetLeftPart(UriPartial.Authority)} to data/telco-churn.csv\n", pulled.Out);
        Assert.Equal(File.ReadAllBytes(RepositoryRoot.Combine("data/telco-churn.csv")), File.ReadAllBytes(repo.Combine("data/telco-churn.csv")));
        Assert.Equal(ExitCodes.BadInput, missing.ExitCode);
        Assert.StartsWith("mlops: data sha256:0000", missing.Error, StringComparison.Ordinal);
        Assert.Contains("is not in the store at s3://", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CachedCopyEditedOnDisk_IsReportedAndDeleted_ThenFetchedAnew()
    {
        using var repo = DigestOnlyRepository(out var digest);
        var store = repo.Combine("elsewhere/store");
        using (var source = new ExampleRepository())
        {
            await CliRunner.SucceedAsync("data", "push", source.Combine("data/telco-churn.csv"), "--repo", repo.Path, "--store", store);
        }

        await CliRunner.SucceedAsync("validate", "--repo", repo.Path, "--store", store);
        var cached = repo.Combine(".mlops/data/" + digest["sha256:".Length..]);
        File.AppendAllText(cached, File.ReadLines(cached).Skip(1).First() + "\n"); // one row more, still valid CSV

        var edited = await CliRunner.RunAsync("validate", "--repo", repo.Path, "--store", store);
        var again = await CliRunner.RunAsync("validate", "--repo", repo.Path, "--store", store);

        Assert.Equal(ExitCodes.CheckFailed, edited.ExitCode);
        var line = Assert.Single(edited.Lines, l => l.Contains("MLOPS0402", StringComparison.Ordinal));
        Assert.Contains($"the cached copy '.mlops/data/{digest["sha256:".Length..]}' of model 'churn''s data hashes to sha256:", line, StringComparison.Ordinal);
        Assert.EndsWith("It was deleted; run the command again to fetch it anew.", line, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Equal(File.ReadAllBytes(RepositoryRoot.Combine("data/telco-churn.csv")), File.ReadAllBytes(cached));
    }

    private string StoreOn(string prefix) => $"s3://{MotoServerFixture.Bucket}/{prefix}?endpoint={moto.Endpoint.GetLeftPart(UriPartial.Authority)}";

    private static string DeclaredDigest(TempDirectory repo)
    {
        var model = repo.Read("models/churn.yaml");
        var start = model.IndexOf("sha256:", StringComparison.Ordinal);
        return model.Substring(start, 71);
    }

    /// <summary>The example with its model declaring the data by digest alone and no data file.</summary>
    private static ExampleRepository DigestOnlyRepository(out string digest)
    {
        var repo = new ExampleRepository();
        digest = DeclaredDigest(repo);
        repo.Replace("models/churn.yaml", "  path: data/telco-churn.csv\n", "");
        File.Delete(repo.Combine("data/telco-churn.csv"));
        return repo;
    }

    private static async Task<JsonElement> TrainAndShowRunAsync(string root, params string[] more)
    {
        var train = await CliRunner.SucceedAsync(["train", "--repo", root, "--json", .. more]);
        var runId = JsonDocument.Parse(train.Out).RootElement.GetProperty("models")[0].GetProperty("runId").GetString()!;
        var show = await CliRunner.SucceedAsync("runs", "show", runId, "--repo", root, "--json");
        return JsonDocument.Parse(show.Out).RootElement.Clone();
    }
}
