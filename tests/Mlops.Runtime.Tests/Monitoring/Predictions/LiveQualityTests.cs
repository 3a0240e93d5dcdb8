using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Tests.Monitoring.Predictions;

/// <summary>Feedback joined with remembered predictions: live metrics per version and slice, and every bad case's answer.</summary>
public sealed class LiveQualityTests
{
    private static readonly DateTimeOffset s_time = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BinaryFeedback_GivesAccuracyAucF1AndLogLoss_NextToTheTrainingFigures()
    {
        var quality = LogTestData.Quality();
        Remember(quality, "p", LogTestData.Binary(0.9f, 0.8f, 0.3f, 0.6f));

        var results = quality.Record(Items(("p/0", true), ("p/1", false), ("p/2", false), ("p/3", true)), []);

        Assert.All(results, r => Assert.Equal(FeedbackStatus.Accepted, r.Status));
        var version = Assert.Single(quality.Snapshot(s_time, s_time.AddHours(1)).Versions);
        Assert.Equal(("churn", 1, "primary", "binary-classification", 4L), (version.Model, version.Version, version.Role, version.Task, version.Overall.Labelled));
        var m = version.Overall.Metrics;
        Assert.Equal(0.75, m["accuracy"], 12);
        Assert.Equal(0.75, m["auc"], 12); // positives 0.9, 0.6 against negatives 0.8, 0.3: three of four pairs in order
        Assert.Equal(0.8, m["f1"], 12); // precision 2/3, recall 1
        Assert.Equal(-(Math.Log(0.9f) + Math.Log(1 - 0.8f) + Math.Log(1 - 0.3f) + Math.Log(0.6f)) / 4, m["logLoss"], 6);
        Assert.Equal(["accuracy", "auc", "f1", "logLoss"], m.Keys);
        Assert.Equal(new Dictionary<string, double> { ["accuracy"] = 0.8, ["auc"] = 0.84, ["f1"] = 0.6, ["logLoss"] = 0.42 }, version.Overall.Training);
    }

    [Fact]
    public void Slices_AreTheBundlesDeclaredOnes_EachWithItsRowsAndTrainingFigures()
    {
        var quality = LogTestData.Quality();
        var schema = LogTestData.Schema();
        var batch = LogTestData.Batch(schema, LogTestData.Row(contract: "One year"), LogTestData.Row(contract: "One year"), LogTestData.Row(contract: "Month-to-month"));
        quality.Remember(new LoggedRequest("p", null, s_time, schema, batch, LogTestData.Binary(0.9f, 0.2f, 0.7f)));

        quality.Record(Items(("p/0", true), ("p/1", false), ("p/2", false)), []);

        var slices = Assert.Single(quality.Snapshot(s_time, s_time.AddHours(1)).Versions).Slices;
        Assert.Equal(["contract=Month-to-month", "contract=One year"], slices.Keys);
        Assert.Equal((2L, 1.0, 1.0), (slices["contract=One year"].Labelled, slices["contract=One year"].Metrics["accuracy"], slices["contract=One year"].Metrics["auc"]));
        Assert.Equal((1L, 0.0), (slices["contract=Month-to-month"].Labelled, slices["contract=Month-to-month"].Metrics["accuracy"]));
        Assert.False(slices["contract=Month-to-month"].Metrics.ContainsKey("auc")); // one class: AUC is not defined
        Assert.Equal(0.9, slices["contract=One year"].Training["accuracy"]);
    }

    [Fact]
    public void UnknownIds_AreReportedPerItem_AndDuplicatesCountOnlyTheFirst()
    {
        var quality = LogTestData.Quality();
        Remember(quality, "p", LogTestData.Binary(0.9f));

        var first = quality.Record(Items(("p", true), ("nope", true), ("p", false)), []);
        var later = quality.Record(Items(("p", false)), []);

        Assert.Equal([FeedbackStatus.Accepted, FeedbackStatus.Unknown, FeedbackStatus.Duplicate], first.Select(r => r.Status));
        Assert.Equal(FeedbackStatus.Duplicate, Assert.Single(later).Status);
        var snapshot = quality.Snapshot(s_time, s_time.AddHours(1));
        Assert.Equal((1L, 1L, 2L), (snapshot.Accepted, snapshot.Unknown, snapshot.Duplicates));
        Assert.Equal(1.0, Assert.Single(snapshot.Versions).Overall.Metrics["accuracy"]); // the first label (true) counts
    }

    [Fact]
    public void WrongLabelType_RefusesTheWholeRequest_NamingTheField_AndRecordsNothing()
    {
        var quality = LogTestData.Quality();
        Remember(quality, "p", LogTestData.Binary(0.9f, 0.1f));
        var problems = new Dictionary<string, string[]>();

        var results = quality.Record(
            [new FeedbackItem("feedback[0].label", "p/0", FeedbackLabel.Of(true)), new FeedbackItem("feedback[1].label", "p/1", FeedbackLabel.Of("Yes"))],
            problems);

        Assert.Empty(results);
        var message = Assert.Single(Assert.Single(problems, p => p.Key == "feedback[1].label").Value);
        Assert.Contains("binary classifier: send the label as true or false", message, StringComparison.Ordinal);
        Assert.Empty(quality.Snapshot(s_time, s_time.AddHours(1)).Versions);
        Assert.Equal(FeedbackStatus.Accepted, Assert.Single(quality.Record(Items(("p/0", true)), [])).Status); // nothing was taken from the refused request
    }

    [Fact]
    public void Multiclass_GivesAccuracyAndLogLoss_AndALabelThatIsNoClassIsRefused()
    {
        var quality = LogTestData.Quality();
        string[] classes = ["a", "b", "c"];
        var answer = new ServedBatch(new BatchPredictions([0.7f, 0.5f], null, null, ["a", "b"], [0.7f, 0.2f, 0.1f, 0.3f, 0.5f, 0.2f], classes), "kind", 2, LogTestData.Digest, "c", ServedRole.Canary);
        Remember(quality, "m", answer);

        var problems = new Dictionary<string, string[]>();
        quality.Record([new FeedbackItem("label", "m/0", FeedbackLabel.Of("z"))], problems);
        Assert.Contains("'z' is not one of them", Assert.Single(problems["label"]), StringComparison.Ordinal);

        quality.Record(Items(("m/0", "a"), ("m/1", "c")), []);
        var version = Assert.Single(quality.Snapshot(s_time, s_time.AddHours(1)).Versions);
        Assert.Equal(("canary", "multiclass-classification"), (version.Role, version.Task));
        Assert.Equal(0.5, version.Overall.Metrics["accuracy"], 12);
        Assert.Equal(-(Math.Log(0.7f) + Math.Log(0.2f)) / 2, version.Overall.Metrics["logLoss"], 6);
    }

    [Fact]
    public void Regression_GivesRmseAndMae_AndRefusesATextLabel()
    {
        var quality = LogTestData.Quality();
        var answer = new ServedBatch(new BatchPredictions([1f, 2f, 4f], null, null, null, null, []), "price", 3, LogTestData.Digest, "c", ServedRole.Primary);
        Remember(quality, "r", answer);

        var problems = new Dictionary<string, string[]>();
        quality.Record([new FeedbackItem("label", "r/0", FeedbackLabel.Of(true))], problems);
        Assert.Contains("regression: send the label as a number", Assert.Single(problems["label"]), StringComparison.Ordinal);

        quality.Record(Items(("r/0", 1.0), ("r/1", 3.0), ("r/2", 2.0)), []);
        var metrics = Assert.Single(quality.Snapshot(s_time, s_time.AddHours(1)).Versions).Overall.Metrics;
        Assert.Equal(Math.Sqrt((0 + 1 + 4) / 3.0), metrics["rmse"], 12);
        Assert.Equal(1.0, metrics["mae"], 12);
    }

    [Fact]
    public void Window_CountsOnlyPredictionsMadeInIt()
    {
        var quality = LogTestData.Quality();
        var schema = LogTestData.Schema();
        quality.Remember(new LoggedRequest("old", null, s_time, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.9f)));
        quality.Remember(new LoggedRequest("new", null, s_time.AddHours(2), schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.9f)));
        quality.Record(Items(("old", false), ("new", true)), []);

        Assert.Equal(1.0, Assert.Single(quality.Snapshot(s_time.AddHours(1), s_time.AddHours(3)).Versions).Overall.Metrics["accuracy"]);
        Assert.Equal(0.5, Assert.Single(quality.Snapshot(s_time, s_time.AddHours(3)).Versions).Overall.Metrics["accuracy"]);
    }

    [Fact]
    public void Index_IsBounded_TheOldestPredictionIsForgottenFirst()
    {
        var quality = LogTestData.Quality(remembered: 2);
        Remember(quality, "a", LogTestData.Binary(0.9f));
        Remember(quality, "b", LogTestData.Binary(0.9f));
        Remember(quality, "c", LogTestData.Binary(0.9f));

        Assert.Equal(2, quality.RememberedCount);
        Assert.Equal([FeedbackStatus.Unknown, FeedbackStatus.Accepted, FeedbackStatus.Accepted], quality.Record(Items(("a", true), ("b", true), ("c", true)), []).Select(r => r.Status));
    }

    private static void Remember(LiveQuality quality, string id, ServedBatch answer)
    {
        var schema = LogTestData.Schema();
        var rows = Enumerable.Range(0, answer.Predictions.Count).Select(_ => LogTestData.Row()).ToArray();
        quality.Remember(new LoggedRequest(id, null, s_time, schema, LogTestData.Batch(schema, rows), answer));
    }

    private static FeedbackItem[] Items(params (string Id, object Label)[] items) =>
    [
        .. items.Select((item, i) => new FeedbackItem($"feedback[{i}].label", item.Id, item.Label switch
        {
            bool b => FeedbackLabel.Of(b),
            string s => FeedbackLabel.Of(s),
            _ => FeedbackLabel.Of(Convert.ToDouble(item.Label, System.Globalization.CultureInfo.InvariantCulture)),
        })),
    ];
}
