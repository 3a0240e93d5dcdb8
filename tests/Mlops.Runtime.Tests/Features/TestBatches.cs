using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Tests.Features;

/// <summary>Rows for tests, checked by a schema the way requests are; a row that does not fit fails the test.</summary>
public static class TestBatches
{
    /// <summary>The rows as one batch.</summary>
    public static FeatureBatch Of(InputSchema schema, params IReadOnlyDictionary<string, object?>[] rows)
    {
        var problems = new List<string>();
        var batch = schema.CheckRows(rows, problems);
        Assert.True(problems.Count == 0, string.Join(" ", problems));
        return batch;
    }

    /// <summary>Row <paramref name="row"/> of a batch, alone.</summary>
    public static FeatureBatch Row(this FeatureBatch batch, int row) => batch.Select([row]);

    /// <summary>Routes and scores one row by feature name the way a request is (checked by the served model's schema first).</summary>
    public static ServedPrediction Score(this TrafficRouter router, ServedModel served, IReadOnlyDictionary<string, object?> row, string routingKey) =>
        router.ScoreAsync(served, Of(served.Schema!, row), routingKey, cancellationToken: TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult().Row(0);

    /// <summary>Scores one row by feature name, checked by <paramref name="schema"/>.</summary>
    public static Prediction Score(this IScorer scorer, InputSchema schema, IReadOnlyDictionary<string, object?> row) => scorer.Score(Of(schema, row))[0];
}
