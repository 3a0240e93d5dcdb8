using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Tests.Features;
using Mlops.Runtime.Tests.Serving.Batching;

namespace Mlops.Runtime.Tests.Serving;

/// <summary>A batch by column through the router: one routing decision, one call, fallback and shadow in one place.</summary>
public sealed class TrafficRouterTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);
    private static readonly IScorer s_scorer = ModelScorer.Load(new MemoryStream(TestModels.Model));

    private static LoadedModel Version(int version, IScorer? scorer = null) =>
        new("churn", version, $"sha256:{version}", null!, scorer ?? s_scorer, s_schema);

    private static ServedModel Served(LoadedModel? primary, CanaryRoute? canary = null, LoadedModel? shadow = null, FallbackAnswer? fallback = null, bool enabled = true) =>
        new("churn", enabled, primary, canary, shadow, fallback, "customer_id", "c0ffee");

    private static ServedBatch Score(TrafficRouter router, ServedModel served, FeatureBatch batch, string key) =>
        router.ScoreAsync(served, batch, key, cancellationToken: TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();

    private static FeatureBatch Batch()
    {
        var problems = new List<string>();
        var batch = s_schema.CheckColumns(new Dictionary<string, Array>
        {
            ["tenure"] = new[] { 1.0, 20, 60 },
            ["contract"] = new[] { "Month-to-month", "One year", "Two year" },
            ["total_charges"] = new double?[] { null, 1500, 4000 },
        }, problems, out _);
        Assert.Empty(problems);
        return batch;
    }

    [Fact]
    public void ScoreBatch_CanaryTakesTheKey_EveryRowIsTheCanarysAnswer()
    {
        var router = new TrafficRouter();
        var batch = Batch();

        var answer = Score(router, Served(Version(1), new CanaryRoute(Version(2), 100)), batch, "customer-7");

        Assert.Equal((ServedRole.Canary, 2, "c0ffee"), (answer.Role, answer.Version, answer.Commit));
        Assert.Equal(Enumerable.Range(0, 3).Select(r => s_scorer.Score(batch.Row(r))[0]), Enumerable.Range(0, 3).Select(r => answer.Row(r).Prediction));
    }

    [Fact]
    public void ScoreBatch_PrimaryFails_TheConstantFallbackAnswersEveryRowAndSaysWhy()
    {
        var constant = new Prediction(0f, 0.5f, false, null, null);
        var router = new TrafficRouter();

        var answer = Score(router, Served(Version(1, new RecordingScorer(s_scorer, failEverything: true)), fallback: new FallbackAnswer(constant, null)), Batch(), "k");

        Assert.Equal(ServedRole.Fallback, answer.Role);
        Assert.Contains(RecordingScorer.Failure, answer.Reason, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(0, 3), r => Assert.Equal(constant, answer.Predictions[r]));
    }

    [Fact]
    public void ScoreBatch_SwitchedOff_TheFallbackModelAnswers()
    {
        var answer = Score(new TrafficRouter(), Served(Version(1), fallback: new FallbackAnswer(null, Version(9)), enabled: false), Batch(), "k");

        Assert.Equal((ServedRole.Fallback, 9), (answer.Role, answer.Version));
        Assert.Contains("switched off", answer.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoreBatch_FailsWithoutAFallback_IsUnavailable()
    {
        var served = Served(Version(1, new RecordingScorer(s_scorer, failEverything: true)));

        var error = Assert.Throws<ModelUnavailableException>(() => Score(new TrafficRouter(), served, Batch(), "k"));

        Assert.Contains("names no fallback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoreBatch_WithAShadow_ReportsEachRowsShadowAnswerNextToTheReturnedOne()
    {
        var shadows = new List<ShadowResult>();
        var router = new TrafficRouter(shadows.Add);
        var batch = Batch();

        var answer = Score(router, Served(Version(1), shadow: Version(3)), batch, "k");

        var shadow = Assert.Single(shadows);
        Assert.Equal(3, shadow.ShadowVersion);
        Assert.Equal(Enumerable.Range(0, 3).Select(r => s_scorer.Score(batch.Row(r))[0]), Enumerable.Range(0, 3).Select(r => shadow.Predictions![r]));
        // The answer carries the shadow's result for the monitor; the result names the answer returned.
        Assert.Same(shadow, answer.Shadow);
        Assert.Same(answer.Predictions, shadow.Returned.Predictions);
    }

    [Fact]
    public async Task ScoreAsync_ExplicitVersion_AnswersAloneWithoutTheCanary()
    {
        var answer = Score(new TrafficRouter(), Served(Version(1), new CanaryRoute(Version(2), 100)), Batch(), "k");
        var asked = await new TrafficRouter().ScoreAsync(Served(Version(1), new CanaryRoute(Version(2), 100)), Batch(), "k", Version(7), TestContext.Current.CancellationToken);

        Assert.Equal((ServedRole.Canary, 2), (answer.Role, answer.Version));
        Assert.Equal((ServedRole.Explicit, 7), (asked.Role, asked.Version));
    }
}
