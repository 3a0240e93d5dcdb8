using Microsoft.ML;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>
/// Tree models (LightGBM, FastTree, FastForest) load with Mlops.Runtime alone: this test project
/// references nothing else, as a host of batch scoring or serving would not.
/// </summary>
public sealed class TreeModelLoadTests
{
    [Theory]
    [InlineData("lightgbm", "Microsoft.ML.LightGbm")]
    [InlineData("fasttree", "Microsoft.ML.FastTree")]
    [InlineData("fastforest", "Microsoft.ML.FastTree")]
    public void Load_TreeTrainersModel_LoadsWithTheRuntimeAlone(string trainer, string assembly)
    {
        var model = Train(trainer);
        Assert.Contains(ModelLoadFailure.ReadComponents(new MemoryStream(model)), c => c.Assembly == assembly);

        var scorer = ModelScorer.Load(new MemoryStream(model));

        Assert.Equal(PredictionKind.Binary, scorer.Kind);
        Assert.Equal(["tenure", "contract", "total_charges"], scorer.RowType.Columns.Select(c => c.Name));
    }

    private static byte[] Train(string trainer) => TestModels.Train(ml => trainer switch
    {
        "lightgbm" => ml.BinaryClassification.Trainers.LightGbm(ModelColumns.Label, ModelColumns.Features),
        "fasttree" => ml.BinaryClassification.Trainers.FastTree(ModelColumns.Label, ModelColumns.Features),
        _ => (IEstimator<ITransformer>)ml.BinaryClassification.Trainers.FastForest(ModelColumns.Label, ModelColumns.Features),
    });
}
