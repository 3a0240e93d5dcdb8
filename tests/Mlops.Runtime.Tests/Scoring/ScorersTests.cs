using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>Which scorer a bundle gets for the runtime the server asks for.</summary>
public sealed class ScorersTests
{
    [Theory]
    [InlineData(ModelFormat.MlNet)]
    [InlineData(ModelFormat.Onnx)]
    public void Load_MlNetBundleWithoutOnnxExport_IsServedByMlNetWhateverTheRuntimeAsked(ModelFormat runtime)
    {
        var bundle = Bundle.Read(TestModels.Bundle(1));

        var scorer = Scorers.Load(bundle, runtime);

        Assert.IsType<ModelScorer>(scorer);
    }
}
