using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>The plan, the ranking and the candidates of <c>trainer: auto</c>, without fitting anything.</summary>
public sealed class TrainerSearchTests
{
    private static Declared<ModelSpec> Model(string trainer, string task = "binary-classification")
    {
        var text = string.Join("\n",
            "model: churn", $"task: {task}", "featureSet: customer@1", "label: { column: churn, positive: \"Yes\" }",
            "data:", "  path: data/telco-churn.csv", "  digest: sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7",
            trainer) + "\n";
        var result = ModelParser.Parse("models/churn.yaml", text);
        Assert.Empty(result.Diagnostics);
        return result.Declaration!;
    }

    private static IReadOnlyList<Trial> Plan(string trainer)
    {
        var model = Model(trainer);
        var errors = new List<Diagnostic>();
        var plan = TrainerSearch.Plan(model.Value, TrainerSearch.Candidates(model, errors));
        Assert.Empty(errors);
        return plan;
    }

    private static string Text(IEnumerable<Trial> plan) =>
        string.Join("\n", plan.Select(t => $"{t.Number} {t.Trainer.Info.Name} {TrainerSearch.Describe(t.Params)}"));

    [Fact]
    public void Plan_StartsWithEachTrainersDefaultsInCatalogOrderThenSamplesRoundRobin()
    {
        var plan = Plan("trainer: { name: auto, trials: 12 }");

        Assert.Equal(12, plan.Count);
        Assert.Equal(Enumerable.Range(1, 12), plan.Select(t => t.Number));
        Assert.Equal(["lightgbm", "fasttree", "fastforest", "sdca", "lbfgs", "lightgbm", "fasttree", "fastforest", "sdca", "lbfgs", "lightgbm", "fasttree"],
            plan.Select(t => t.Trainer.Info.Name));
        // Defaults: only the options every trial pins.
        Assert.All(plan.Take(5), t => Assert.Equal(SearchSpace.PinnedFor(t.Trainer.Info).Keys, t.Params.Keys));
        Assert.All(plan.Skip(5), t => Assert.Superset(SearchSpace.For(t.Trainer.Info).Select(r => r.Name).ToHashSet(), t.Params.Keys.ToHashSet()));
    }

    [Fact]
    public void Plan_SameSeed_SameTrials_OtherSeed_OtherSamples()
    {
        var once = Text(Plan("trainer: { name: auto, trials: 20, seed: 7 }"));
        var again = Text(Plan("trainer: { name: auto, trials: 20, seed: 7 }"));
        var other = Text(Plan("trainer: { name: auto, trials: 20, seed: 8 }"));

        Assert.Equal(once, again);
        Assert.NotEqual(once, other);
        Assert.Equal(once.Split('\n').Take(5), other.Split('\n').Take(5)); // the defaults do not depend on the seed
    }

    [Fact]
    public void Plan_SamplesStayInTheirRangesAndBindToTheTrainersOptions()
    {
        var model = Model("trainer: { name: auto, trials: 200 }");
        var plan = TrainerSearch.Plan(model.Value, TrainerSearch.Candidates(model, []));

        foreach (var trial in plan)
        {
            foreach (var range in SearchSpace.For(trial.Trainer.Info).Where(r => trial.Params.ContainsKey(r.Name)))
            {
                Assert.InRange(trial.Params[range.Name].AsNumber()!.Value, range.Low, range.High);
            }

            var errors = new List<Diagnostic>();
            TrainerParameters.Bind(trial.Trainer, trial.Apply(model), errors);
            Assert.Empty(errors);
        }
    }

    [Fact]
    public void Plan_FewerTrialsThanTrainers_TriesTheFirstDefaultsOnly()
    {
        var plan = Plan("trainer: { name: auto, trials: 2, trainers: [lbfgs, lightgbm, sdca] }");

        Assert.Equal(["lbfgs", "lightgbm"], plan.Select(t => t.Trainer.Info.Name));
    }

    [Fact]
    public void Candidates_UnknownAndWrongTaskNames_AreReportedAtTheirItemWithTheNearestName()
    {
        var model = Model("trainer: { name: auto, trainers: [lbfgs, lightgmb, fastforest, lbfgs] }", "multiclass-classification");
        var errors = new List<Diagnostic>();

        var candidates = TrainerSearch.Candidates(model, errors);

        Assert.Equal(["lbfgs"], candidates.Select(c => c.Info.Name));
        Assert.Equal(2, errors.Count);
        Assert.Equal("MLOPS0501", errors[0].Id);
        Assert.Equal((8, 42), (errors[0].Location.Line, errors[0].Location.Column));
        Assert.StartsWith("there is no trainer 'lightgmb'. Did you mean 'lightgbm'?", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("MLOPS0507", errors[1].Id);
        Assert.StartsWith("trainer 'fastforest' does not train multiclass-classification models.", errors[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auc", "3,1,2,4")]
    [InlineData("rmse", "2,1,3,4")]
    public void Rank_FollowsTheMetricsDirection_TiesToTheEarlierTrial_FailuresLast(string metric, string expected)
    {
        (int Trial, double? Value)[] trials = [(1, 0.8), (2, 0.7), (3, 0.9), (4, null)];
        trials = [.. trials, (5, 0.8)];

        var ranked = TrainerSearch.Rank(trials, t => t.Trial, t => t.Value, metric).Select(t => t.Trial).ToList();

        Assert.Equal(expected, string.Join(',', ranked.Where(t => t != 5)));
        Assert.Equal(ranked.IndexOf(1) + 1, ranked.IndexOf(5)); // equal values: the earlier trial first
        Assert.Equal(4, ranked[^1]);
    }

    [Fact]
    public void MetricOf_EachTask_IsTheSearchMetric()
    {
        Assert.Equal("auc", TrainerSearch.MetricOf(ModelTask.BinaryClassification));
        Assert.Equal("macroAccuracy", TrainerSearch.MetricOf(ModelTask.MulticlassClassification));
        Assert.Equal("rmse", TrainerSearch.MetricOf(ModelTask.Regression));
    }

    [Fact]
    public void Leaderboard_RanksChildRunsByTheirCvMetricAndMarksTheChosen()
    {
        var parent = new Run
        {
            Id = "p", Model = "churn", Status = RunStatus.Succeeded, StartedAt = DateTimeOffset.UnixEpoch, Toolchain = new Toolchain("os", "10", "5"),
            Params = new Dictionary<string, string> { [Leaderboard.MetricParam] = "rmse", [Leaderboard.ChosenTrialParam] = "2", [Leaderboard.FoldsParam] = "3" },
        };
        Run Child(int trial, double? rmse) => parent with
        {
            Id = $"c{trial}", ParentId = "p", Status = rmse is null ? RunStatus.Failed : RunStatus.Succeeded,
            Error = rmse is null ? new RunError("boom") : null,
            Params = new Dictionary<string, string> { ["trial"] = trial.ToString(System.Globalization.CultureInfo.InvariantCulture), ["trainer"] = "sdca", ["trainer.l2Regularization"] = "0.1" },
            Metrics = rmse is { } v ? [new RunMetric("rmse", v, "cv") { Interval = new MetricInterval(v - 1, v + 1) }, new RunMetric("rmse", 0.5, "cv-sd")] : [],
        };

        var board = Leaderboard.Of(parent, [Child(1, 3.0), Child(2, 2.0), Child(3, null)])!;

        Assert.False(board.GreaterIsBetter);
        Assert.Equal(3, board.Folds);
        Assert.Equal([2, 1, 3], board.Entries.Select(e => e.Trial));
        Assert.Equal([1, 2, 3], board.Entries.Select(e => e.Rank));
        Assert.True(board.Entries[0].Chosen);
        Assert.Equal(new MetricInterval(1, 3), board.Entries[0].Interval);
        Assert.Equal(0.5, board.Entries[0].StandardDeviation);
        Assert.Equal("0.1", board.Entries[0].Params["l2Regularization"]);
        Assert.Equal("boom", board.Entries[2].Error);
        Assert.Null(Leaderboard.Of(parent with { Params = new Dictionary<string, string>() }, []));
    }
}
