using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>
/// The scorer's linear path (terms worked out at load) against ML.NET's own batch transform of the
/// same rows: it must give the same answers, and models it cannot take must keep the engine.
/// </summary>
[Collection(ChurnModelCollection.Name)]
public sealed class LinearScoringPathTests(ChurnModelFixture churn)
{
    [Fact]
    public async Task Score_EveryHoldoutRowOfTheExample_MatchesMlNetsBatchTransform()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var batch = Rows.MlNetTransform(churn.Training.ModelPath, data, seed: 42);
        var scorer = ModelScorer.Load(churn.Training.ModelPath);

        Assert.StartsWith("linear terms", scorer.ScoringPath, StringComparison.Ordinal);
        var missingTotal = 0;
        for (var i = 0; i < data.Holdout.Length; i++)
        {
            var request = Rows.Request(data, data.Holdout[i]);
            missingTotal += request.GetValueOrDefault("total_charges") is null ? 1 : 0;
            var prediction = scorer.Score(data.Schema, request);

            Assert.Equal(batch.Scores[i], prediction.Score, 1e-4f);
            Assert.Equal(batch.Probabilities![i], prediction.Probability!.Value, 1e-6f);
            Assert.Equal(batch.Scores[i] > 0, prediction.IsPositive);
        }

        Assert.True(missingTotal > 0, "the holdout should hold a row without total_charges, to test the median fill");
    }

    [Fact]
    public async Task Score_ExampleRowsAsOneBatch_EqualSingleRowScores()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var scorer = ModelScorer.Load(churn.Training.ModelPath);
        var rows = data.Holdout.Take(200).Select(r => (IReadOnlyDictionary<string, object?>)Rows.Request(data, r)).ToArray();

        var batch = scorer.Score(Rows.Batch(data.Schema, rows));

        Assert.Equal(rows.Select(r => scorer.Score(data.Schema, r)), Enumerable.Range(0, batch.Count).Select(i => batch[i]));
    }

    [Fact]
    public async Task ScoreBatch_EveryHoldoutRowByColumn_EqualsSingleRowScores()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var scorer = ModelScorer.Load(churn.Training.ModelPath);
        var requests = Enumerable.Range(0, data.Holdout.Length).Select(i => Rows.Request(data, data.Holdout[i])).ToList();

        var predictions = ScoreByColumn(scorer, data.Schema, data.Features, requests, typed: true);

        Assert.Equal(requests.Count, predictions.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(scorer.Score(data.Schema, requests[i]), predictions[i]);
        }
    }

    [Fact]
    public void Score_UndeclaredCategory_ScoresLikeAMissingOne()
    {
        var scorer = ModelScorer.Load(churn.Training.ModelPath);
        var row = new Dictionary<string, object?>
        {
            ["female"] = true, ["senior_citizen"] = false, ["partner"] = true, ["dependents"] = false, ["tenure"] = 12.0,
            ["phone_service"] = true, ["multiple_lines"] = "No", ["internet_service"] = "Fiber optic", ["online_security"] = "No",
            ["online_backup"] = "Yes", ["device_protection"] = "No", ["tech_support"] = "No", ["streaming_tv"] = "Yes",
            ["streaming_movies"] = "No", ["contract"] = "Month-to-month", ["paperless_billing"] = true,
            ["payment_method"] = "Electronic check", ["monthly_charges"] = 80.5, ["total_charges"] = 960.0,
        };
        var withUndeclared = new Dictionary<string, object?>(row) { ["contract"] = "Ten year" };
        var withMissing = new Dictionary<string, object?>(row) { ["contract"] = null };
        var lenient = InputSchema.For(churn.Request.FeatureSet.Value with
        {
            Features = [.. churn.Request.FeatureSet.Value.Features.Select(f => f with { Nullable = true, OnUnknown = UnknownCategoryPolicy.Ignore })],
        });

        Assert.Equal(scorer.Score(lenient, withMissing), scorer.Score(lenient, withUndeclared));
        Assert.NotEqual(scorer.Score(lenient, row), scorer.Score(lenient, withUndeclared));
    }

    [Theory]
    [InlineData("sdca", true)]
    [InlineData("fasttree", false)]
    public async Task Load_RegressionModel_TakesTheLinearPathOnlyForALinearTrainer(string trainer, bool linear)
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.Regression, trainer);
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var training = await new ModelTrainer().TrainAsync(request, repository.Combine("out"), cancellationToken: TestContext.Current.CancellationToken);
        var data = await TrainingData.LoadAsync(request.RepositoryRoot, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);
        var batch = Rows.MlNetTransform(training.ModelPath, data, seed: 3);

        var scorer = ModelScorer.Load(training.ModelPath);

        Assert.True(linear == scorer.ScoringPath.StartsWith("linear terms", StringComparison.Ordinal), scorer.ScoringPath);
        var requests = Enumerable.Range(0, data.Holdout.Length).Select(i => Rows.Request(data, data.Holdout[i])).ToList();
        var byColumn = ScoreByColumn(scorer, data.Schema, data.Features, requests, typed: false);
        for (var i = 0; i < data.Holdout.Length; i++)
        {
            Assert.Equal(batch.Scores[i], scorer.Score(data.Schema, requests[i]).Score, 1e-3f);
            Assert.Equal(scorer.Score(data.Schema, requests[i]), byColumn[i]);
        }
    }

    /// <summary>Checks the rows as one batch by column (typed arrays, or arrays of objects) and scores it in one call.</summary>
    private static BatchPredictions ScoreByColumn(ModelScorer scorer, InputSchema schema, IReadOnlyList<Feature> features, List<Dictionary<string, object?>> requests, bool typed)
    {
        var columns = features.Select(f => KeyValuePair.Create(f.Name, (typed, f.Type) switch
        {
            (false, _) => requests.Select(r => r.GetValueOrDefault(f.Name)).ToArray(),
            (true, FeatureType.Bool) => requests.Select(r => (bool)r[f.Name]!).ToArray(),
            (true, FeatureType.Float or FeatureType.Int) => requests.Select(r => (double?)r.GetValueOrDefault(f.Name)).ToArray(),
            _ => (Array)requests.Select(r => (string?)r.GetValueOrDefault(f.Name)).ToArray(),
        }));
        var problems = new List<string>();

        var batch = schema.CheckColumns(columns, problems, out _);

        Assert.Empty(problems);
        return scorer.Score(batch);
    }
}
