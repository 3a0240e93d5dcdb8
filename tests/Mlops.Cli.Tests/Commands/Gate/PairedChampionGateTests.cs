using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Testing;
using static Mlops.Cli.Tests.Commands.Promote.PromoteCommandTests;

namespace Mlops.Cli.Tests.Commands.Gate;

/// <summary>
/// Issue 18's paired champion comparison through the real CLI on a real git repository: a champion is trained,
/// packaged and promoted to staging; challengers are then trained and gated with <c>mlops gate -e staging</c> against
/// the rule <c>{ metric: auc, minAbsoluteChange: -0.02, confidence: 0.95 }</c> ("confidently not worse by more than
/// 0.02 AUC"). The data declares an entity (<c>id</c>), so a row's side of the split is the same for every model.
/// </summary>
public sealed class PairedChampionGateTests
{
    private const string Rule = "auc change vs champion >= -0.02 at 95% confidence";

    [Fact]
    public async Task Gate_TrulyWorseChallenger_IsWorse_AndTheConfidenceRuleRefusesIt()
    {
        using var repo = await ChampionOnStagingAsync();
        // One tree of two leaves: a single split on one feature, where the champion weighs two.
        repo.Replace("models/points.yaml", "trainer: { name: lbfgs, seed: 5 }", "trainer: { name: fasttree, seed: 5, params: { numberOfTrees: 1, numberOfLeaves: 2 } }");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error); // ExitCodes.CheckFailed
        var paired = PairedLine(gate.Out);
        Assert.Matches(@"^- auc change vs champion >= -0\.02 at 95% confidence \[overall\]: worse: -0\.\d+ \[-0\.\d+, -0\.\d+\] at 95% on \d{3} rows$", paired);
        Assert.Contains("| **FAIL**: at 95% confidence the change against the champion on the same rows is only known to be at least -0.", Row(gate.Out), StringComparison.Ordinal);
        var json = await JsonGateAsync(repo);
        Assert.Equal("worse", json.GetProperty("paired").GetProperty("verdict").GetString());
        Assert.True(json.GetProperty("paired").GetProperty("ciHigh").GetDouble() < 0);
    }

    [Fact]
    public async Task Gate_ChallengerWithAnIrrelevantNoiseFeature_IsNotDistinguishable_AndPassesTheNonInferiorityRule()
    {
        using var repo = await ChampionOnStagingAsync();
        // The same trainer on the same rows with one more feature, z, which is pure noise: any change is noise.
        repo.Write("features/points.v2.yaml", FeatureSet(2, "z"));
        repo.Replace("models/points.yaml", "featureSet: points@1", "featureSet: points@2");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 0, gate.Out + gate.Error);
        Assert.Matches(@"^- auc change vs champion >= -0\.02 at 95% confidence \[overall\]: not distinguishable: [+-]0(\.\d+)? \[-0\.\d+, 0(\.\d+)?\] at 95% on \d{3} rows$", PairedLine(gate.Out));
        var paired = (await JsonGateAsync(repo)).GetProperty("paired");
        Assert.Equal("not distinguishable", paired.GetProperty("verdict").GetString());
        // The interval fits inside the tolerance: that is what the rule passes on.
        Assert.InRange(paired.GetProperty("ciLow").GetDouble(), -0.02, 0);
        Assert.InRange(paired.GetProperty("ciHigh").GetDouble(), 0, 0.02);
    }

    [Fact]
    public async Task Gate_ChallengerOnAnotherSplit_IsNotPaired_AndTheConfidenceRuleFailsSayingWhyAndWhatToDo()
    {
        using var repo = await ChampionOnStagingAsync();
        repo.Replace("models/points.yaml", "split: { holdout: 0.3, seed: 3 }", "split: { holdout: 0.3, seed: 4 }");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.Equal("- " + Rule + " [overall]: not paired: the champion points@v1 was split with seed 3, holdout 0.3 and the candidate with seed 4, holdout 0.3, "
            + "so some current holdout rows may have been the champion's training rows; keep data.split as the champion's to compare them on rows neither trained on", PairedLine(gate.Out));
        Assert.Contains("| **FAIL**: not paired: the champion points@v1 was split with seed 3", Row(gate.Out), StringComparison.Ordinal);
        Assert.Contains("A rule with confidence judges the paired comparison; fix the cause, or remove confidence to compare with the tag's metrics |", Row(gate.Out), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_ChallengerThatOnlyAddsFolds_IsPaired()
    {
        using var repo = await ChampionOnStagingAsync();
        // Folds partition the training rows; the holdout (seed 3, 0.3) is the champion's.
        repo.Replace("models/points.yaml", "split: { holdout: 0.3, seed: 3 }", "split: { holdout: 0.3, seed: 3, folds: 3 }");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 0, gate.Out + gate.Error);
        Assert.Matches(@"^- auc change vs champion >= -0\.02 at 95% confidence \[overall\]: not distinguishable: ", PairedLine(gate.Out));
    }

    [Fact]
    public async Task Gate_ChallengerWithFoldsAlone_IsNotPaired_AskingForAHoldout()
    {
        using var repo = await ChampionOnStagingAsync();
        repo.Replace("models/points.yaml", "split: { holdout: 0.3, seed: 3 }", "split: { holdout: 0, seed: 3, folds: 3 }");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.Equal("- " + Rule + " [overall]: not paired: the candidate holds no rows out (data.split.holdout: 0, folds alone), so every row trained it; "
            + "declare a holdout (for example 0.2) to compare it with the champion on rows neither trained on", PairedLine(gate.Out));
    }

    /// <summary>The champion: lbfgs on x and y, trained, evaluated, packaged as points@v1, gated and promoted to staging on the current branch.</summary>
    [Fact]
    public async Task Gate_ChallengerOnAFeatureSetWithoutAChampionFeature_IsNotPaired_NamingTheFeature()
    {
        using var repo = await ChampionOnStagingAsync();
        // points@2 keeps x only: the current rows carry no y, which the champion reads.
        repo.Write("features/points.v2.yaml", FeatureSet(2).Replace("  - { name: y, type: float }\n", "", StringComparison.Ordinal));
        repo.Replace("models/points.yaml", "featureSet: points@1", "featureSet: points@2");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.StartsWith("- " + Rule + " [overall]: not paired: the champion reads 'y', which the current feature set 'points@2' does not declare, so it cannot score the current rows; ",
            PairedLine(gate.Out), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_NoEntityAndTheDataChanged_IsNotPaired_SayingARowsSideMayHaveMoved()
    {
        using var repo = await ChampionOnStagingAsync(entity: false);
        // Without an entity a row's split key is its whole record: new data may put an old training row in the holdout.
        File.AppendAllText(repo.Combine("data/points.csv"), "q1,0.5,0.5,0.1,yes\nq2,-0.5,-0.5,0.2,no\n");
        SyntheticRepository.RefreshDigest(repo);

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.StartsWith("- " + Rule + " [overall]: not paired: rows are split by their whole record (the feature set declares no entity), and the data changed since the champion points@v1 (sha256:",
            PairedLine(gate.Out), StringComparison.Ordinal);
        Assert.EndsWith("declare an entity column in the feature set so that a key keeps its side across data versions", PairedLine(gate.Out), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_TimeSplitAndTheDataChanged_IsNotPaired_SayingTheCutMayHaveMoved()
    {
        using var repo = await ChampionOnStagingAsync(timeSplit: true);
        // A time split holds out the latest rows: appended rows move the cut, so the champion's last training rows
        // may now be in the candidate's holdout.
        File.AppendAllText(repo.Combine("data/points.csv"), "q1,0.5,0.5,0.1,1500,yes\nq2,-0.5,-0.5,0.2,1501,no\n");
        SyntheticRepository.RefreshDigest(repo);

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.StartsWith("- " + Rule + " [overall]: not paired: a time split's cut follows the data, and the data changed since the champion points@v1 (",
            PairedLine(gate.Out), StringComparison.Ordinal);
        Assert.EndsWith("so the cut may have moved into the champion's training period", PairedLine(gate.Out), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_TimeSplitOnTheSameData_IsPaired()
    {
        using var repo = await ChampionOnStagingAsync(timeSplit: true);
        // Same file, same cut: the holdout rows are the champion's holdout rows.
        repo.Replace("models/points.yaml", "trainer: { name: lbfgs, seed: 5 }", "trainer: { name: fasttree, seed: 5, params: { numberOfTrees: 1, numberOfLeaves: 2 } }");

        var gate = await ChallengeAsync(repo);

        Assert.True(gate.ExitCode == 1, gate.Out + gate.Error);
        Assert.Matches(@"^- auc change vs champion >= -0\.02 at 95% confidence \[overall\]: worse: -0\.\d+ \[-0\.\d+, -0\.\d+\] at 95% on \d{3} rows$", PairedLine(gate.Out));
    }

    private static async Task<TempDirectory> ChampionOnStagingAsync(bool entity = true, bool timeSplit = false)
    {
        var repo = Repository(entity, timeSplit);
        Git.InitAndCommit(repo.Path);
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);
        await OkAsync("package", "--repo", repo.Path);
        await OkAsync("gate", "points", "--environment", "staging", "--repo", repo.Path);
        await OkAsync("promote", "points", "--to", "staging", "--on-current-branch", "--repo", repo.Path);
        Assert.Contains("version: 1", repo.Read("environments/staging.yaml"), StringComparison.Ordinal);
        return repo;
    }

    /// <summary>Commits the challenger's declarations, trains and evaluates it, and gates it against staging's champion.</summary>
    private static async Task<CliResult> ChallengeAsync(TempDirectory repo)
    {
        Git.CommitAll(repo.Path, "Challenger");
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);
        var gate = await CliRunner.RunAsync("gate", "points", "--environment", "staging", "--repo", repo.Path);
        TestContext.Current.TestOutputHelper?.WriteLine(gate.Out);
        return gate;
    }

    private static async Task<JsonElement> JsonGateAsync(TempDirectory repo)
    {
        var result = await CliRunner.RunAsync("gate", "points", "--environment", "staging", "--json", "--repo", repo.Path);
        return JsonDocument.Parse(result.Out).RootElement[0].GetProperty("rules")[0];
    }

    private static string PairedLine(string markdown) =>
        Assert.Single(markdown.Split('\n'), l => l.StartsWith("- " + Rule + " [overall]: ", StringComparison.Ordinal));

    private static string Row(string markdown) =>
        Assert.Single(markdown.Split('\n'), l => l.StartsWith("| " + Rule + " | overall |", StringComparison.Ordinal));

    private static string FeatureSet(int version, params string[] extra) => FeatureSet(version, entity: true, extra);

    private static string FeatureSet(int version, bool entity, params string[] extra) =>
        $"featureSet: points\nversion: {version}\n{(entity ? "entity: id\n" : "")}features:\n  - {{ name: x, type: float }}\n  - {{ name: y, type: float }}\n"
        + string.Concat(extra.Select(e => $"  - {{ name: {e}, type: float }}\n"));

    /// <summary>
    /// 1,500 rows keyed by id (the feature set's entity unless <paramref name="entity"/> is false): the label is x + y/2 plus Gaussian noise above 0 (a good linear model reaches an AUC
    /// near 0.9); z is noise the label does not depend on. With <paramref name="timeSplit"/> the rows carry a time column t (the row number) and the latest 30% are held out.
    /// </summary>
    private static TempDirectory Repository(bool entity, bool timeSplit)
    {
        var repo = new TempDirectory("mlops-paired");
        repo.Write("features/points.v1.yaml", FeatureSet(1, entity));
        var random = new Random(17);
        var csv = new StringBuilder(timeSplit ? "id,x,y,z,t,label\n" : "id,x,y,z,label\n");
        for (var i = 0; i < 1500; i++)
        {
            var (x, y, z) = (Uniform(random), Uniform(random), Uniform(random));
            var noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var label = x + (y / 2) + (0.4 * noise) > 0;
            var time = timeSplit ? string.Create(CultureInfo.InvariantCulture, $"{i},") : "";
            csv.Append(CultureInfo.InvariantCulture, $"p{i},{x:0.####},{y:0.####},{z:0.####},{time}{(label ? "yes" : "no")}\n");
        }

        repo.Write("data/points.csv", csv.ToString());
        repo.Write("models/points.yaml", $$"""
            model: points
            task: binary-classification
            featureSet: points@1
            label: { column: label, positive: "yes" }
            data:
              path: data/points.csv
              digest: {{SyntheticRepository.Digest(repo, "data/points.csv")}}
              split: { holdout: 0.3, seed: 3{{(timeSplit ? ", timeColumn: t" : "")}} }
            trainer: { name: lbfgs, seed: 5 }
            gate:
              - { metric: auc, minAbsoluteChange: -0.02, confidence: 0.95 }
            """);
        repo.Write("environments/staging.yaml", "environment: staging\nmodels: []\n");
        return repo;
    }

    private static double Uniform(Random random) => (random.NextDouble() * 2) - 1;
}
