using Microsoft.ML;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>A model scored by prediction engines shares a large batch between several engines; the answers do not change.</summary>
public sealed class EngineBatchTests
{
    [Fact]
    public void Score_LargeBatchOfATreeModel_GivesEachRowItsAnswerScoredAlone()
    {
        var scorer = ModelScorer.Load(new MemoryStream(TestModels.Train(ml =>
            (IEstimator<ITransformer>)ml.BinaryClassification.Trainers.FastTree(ModelColumns.Label, ModelColumns.Features))));
        Assert.StartsWith("ML.NET prediction engine", scorer.ScoringPath, StringComparison.Ordinal);
        const int rows = 3000;
        var batch = new FeatureBatch(scorer.RowType.Columns, scorer.RowType.IndexOf, rows);
        string?[] contracts = ["Month-to-month", "One year", "Two year", null];
        var tenure = batch.SendNumbers(batch.IndexOf("tenure"));
        var total = batch.SendNumbers(batch.IndexOf("total_charges"));
        var contract = batch.SendTexts(batch.IndexOf("contract"));
        for (var r = 0; r < rows; r++)
        {
            tenure[r] = r % 73;
            total[r] = r % 11 == 0 ? float.NaN : r * 1.5f;
            contract[r] = contracts[r % contracts.Length];
        }

        var all = scorer.Score(batch);

        Assert.Equal(rows, all.Count);
        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(scorer.Score(batch.Select([r]))[0], all[r]);
        }
    }
}
