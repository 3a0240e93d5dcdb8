using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Runtime.Bundles;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Train;

/// <summary><c>trainer: auto</c> through the real CLI on temp copies of the example: search, child runs, leaderboard, cache, bundle.</summary>
public sealed class AutoTrainCommandTests
{
    // Three cheap trainers and six trials (three defaults, three samples) keep a test at a few seconds of fitting;
    // docs/benchmarks.md measures the twenty-trial search over every trainer.
    private const string AutoTrainer = "  name: auto\n  trials: 6\n  trainers: [lbfgs, lightgbm, fasttree]";

    private static ExampleRepository AutoExample()
    {
        var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", "  name: lbfgs", AutoTrainer);
        return repo;
    }

    private static async Task<JsonElement> JsonAsync(params string[] args) =>
        JsonDocument.Parse((await CliRunner.SucceedAsync([.. args, "--json"])).Out).RootElement.Clone();

    private sealed record Trained(JsonElement Run, string BundleDigest, BundleManifest Manifest, string[] Children);

    /// <summary>Trains, evaluates and packages (without registering) the auto example from scratch: its own files, its own run store.</summary>
    private static async Task<Trained> TrainFromScratchAsync(ExampleRepository repo)
    {
        await CliRunner.SucceedAsync("train", "--repo", repo.Path);
        await CliRunner.SucceedAsync("evaluate", "--repo", repo.Path);
        var package = await CliRunner.SucceedAsync("package", "--repo", repo.Path, "--no-register");
        var digest = Regex.Match(package.Out, "bundle (sha256:[0-9a-f]{64})").Groups[1].Value;
        var bundle = Bundle.Read(await File.ReadAllBytesAsync(repo.Combine($".mlops/store/sha256/{digest[7..9]}/{digest[9..]}"), TestContext.Current.CancellationToken));
        var run = await JsonAsync("runs", "show", "churn", "--repo", repo.Path);
        var children = run.GetProperty("leaderboard").GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("runId").GetString()!).ToArray();
        return new Trained(run, digest, bundle.Manifest, children);
    }

    private static IEnumerable<string> CvMetrics(JsonElement run) => run.GetProperty("metrics").EnumerateArray()
        .Where(m => m.GetProperty("split").GetString() is "cv" or "cv-sd")
        .Select(m => string.Join(' ', m.GetProperty("name"), m.GetProperty("split"), m.GetProperty("value").GetDouble().ToString("R"),
            m.GetProperty("ciLow").ToString(), m.GetProperty("ciHigh").ToString()));

    private static IEnumerable<string> Trials(JsonElement run) => run.GetProperty("leaderboard").GetProperty("trials").EnumerateArray()
        .Select(t => string.Join(' ', t.GetProperty("rank"), t.GetProperty("trial"), t.GetProperty("trainer").GetString(), t.GetProperty("params").ToString(),
            t.GetProperty("mean").GetDouble().ToString("R"), t.GetProperty("ciLow"), t.GetProperty("ciHigh"), t.GetProperty("chosen")));

    [Fact]
    public async Task Auto_SameInputsTwiceFromScratch_SameCvMetricsIntervalsChoiceAndBundleDigest()
    {
        using var a = AutoExample();
        using var b = AutoExample();

        var first = await TrainFromScratchAsync(a);
        var second = await TrainFromScratchAsync(b);

        Assert.NotEmpty(CvMetrics(first.Run));
        Assert.Contains(CvMetrics(first.Run), m => m.StartsWith("auc cv ", StringComparison.Ordinal) && !m.EndsWith("  ", StringComparison.Ordinal));
        Assert.Equal(CvMetrics(first.Run), CvMetrics(second.Run));
        Assert.Equal(Trials(first.Run), Trials(second.Run));
        Assert.Equal(first.Run.GetProperty("params").GetProperty("trainer").GetString(), second.Run.GetProperty("params").GetProperty("trainer").GetString());
        Assert.Equal(first.BundleDigest, second.BundleDigest);

        // An ordinary bundle: the manifest names the trainer that was chosen and says how.
        var chosen = first.Run.GetProperty("params").GetProperty("trainer").GetString();
        Assert.Contains(chosen, new[] { "lbfgs", "lightgbm", "fasttree" });
        Assert.Equal(chosen, first.Manifest.Trainer.Name);
        Assert.Equal(new BundleSearch("auto", 6, int.Parse(first.Run.GetProperty("params").GetProperty("auto.chosenTrial").GetString()!, System.Globalization.CultureInfo.InvariantCulture), "auc", 5),
            first.Manifest.Trainer.ChosenBy);
        Assert.Equal("1", first.Manifest.Trainer.Parameters["numberOfThreads"]);
    }

    [Fact]
    public async Task Auto_TrialsAreChildRunsRankedByCvAucAndTheRerunTrainsNothing()
    {
        using var repo = AutoExample();
        var trained = await TrainFromScratchAsync(repo);
        var parent = trained.Run.GetProperty("id").GetString()!;

        var rerun = await CliRunner.SucceedAsync("train", "--repo", repo.Path);
        var list = await JsonAsync("runs", "list", "--repo", repo.Path);
        var table = await CliRunner.SucceedAsync("runs", "show", parent, "--repo", repo.Path);

        Assert.StartsWith($"train churn: cache hit, reusing run {parent}", rerun.Lines[0], StringComparison.Ordinal);
        Assert.Equal([parent], list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var again = await JsonAsync("runs", "show", parent, "--repo", repo.Path);
        Assert.Equal(trained.Children, again.GetProperty("leaderboard").GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("runId").GetString()!));
        Assert.Equal(6, trained.Children.Length);
        foreach (var child in trained.Children)
        {
            Assert.Equal(parent, (await JsonAsync("runs", "show", child, "--repo", repo.Path)).GetProperty("parentId").GetString());
        }

        // Best first by cv auc (higher is better); the first three trials are the trainers' defaults, in the order declared.
        var trials = trained.Run.GetProperty("leaderboard").GetProperty("trials").EnumerateArray().ToList();
        var means = trials.Select(t => t.GetProperty("mean").GetDouble()).ToList();
        Assert.Equal(means.OrderDescending(), means);
        Assert.True(trials[0].GetProperty("chosen").GetBoolean());
        Assert.Single(trials, t => t.GetProperty("chosen").GetBoolean());
        Assert.Equal(["lbfgs", "lightgbm", "fasttree"], trials.OrderBy(t => t.GetProperty("trial").GetInt32()).Take(3).Select(t => t.GetProperty("trainer").GetString()));
        Assert.Contains("Leaderboard: 6 trials, 5-fold cv auc (higher is better); * chosen", table.Out, StringComparison.Ordinal);
        Assert.Matches(@"\* 1 +│ +\d+ +│ " + Regex.Escape(trials[0].GetProperty("trainer").GetString()!), table.Out);
    }

    [Fact]
    public async Task Validate_AutoWithParams_FailsAtTheParamsLine()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", "  name: lbfgs", "  name: auto\n  params: { l2Regularization: 1 }");

        var result = await CliRunner.RunAsync("validate", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("models/churn.yaml(14,11): error MLOPS0216: trainer 'auto' chooses the trainer and its parameters itself, so it takes no 'params'.", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAndTrain_UnknownNameInTrainers_SuggestTheNearest()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", "  name: lbfgs", "  name: auto\n  trainers: [lbfgs, lightgmb]");

        var validate = await CliRunner.RunAsync("validate", "--repo", repo.Path);
        var train = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, validate.ExitCode);
        const string Expected = "models/churn.yaml(14,21): error MLOPS0501: there is no trainer 'lightgmb'. Did you mean 'lightgbm'?";
        Assert.Contains(Expected, validate.Out + validate.Error, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.Success, train.ExitCode);
        Assert.Contains(Expected, train.Out + train.Error, StringComparison.Ordinal);
    }
}
