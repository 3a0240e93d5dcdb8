using Mlops.Runtime.Bundles;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Declarations.Models;
using Mlops.Runtime.Features;
using Mlops.Runtime.Tests.Features;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>An ONNX model built with python3-onnx (Scoring/Onnx/make_churn_onnx.py): probability = sigmoid(1 - 0.1 * tenure).</summary>
public sealed class OnnxScorerTests
{
    private static readonly byte[] s_model = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Scoring", "Onnx", "churn-linear.onnx"));

    [Fact]
    public void Score_OneRow_IsTheGraphsProbability()
    {
        using var scorer = OnnxScorer.Load(s_model, ["tenure", "contract", "total_charges"], ModelTask.BinaryClassification);

        var prediction = scorer.Score(new InputSchema(TestModels.Inputs, TestModels.FeatureSet), TestModels.Row(tenure: 20));

        Assert.Equal(1 / (1 + MathF.Exp(1f)), prediction.Probability!.Value, 5);
        Assert.False(prediction.IsPositive);
    }

    [Fact]
    public void Load_FeatureTheGraphLacks_NamesIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => OnnxScorer.Load(s_model, ["tenure", "monthly_charges"], ModelTask.BinaryClassification));

        Assert.Contains("no input named 'monthly_charges'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelHost_OnnxBundle_ServesItThroughTheSameInterface()
    {
        using var repository = TestModels.Repository();
        using var storeFolder = new TempDirectory("mlops-onnx-store");
        var store = new LocalFolderStore(storeFolder.Path);
        var bundle = TestModels.Bundle(1, modelBytes: s_model, format: ModelFormat.Onnx, modelFile: "model.onnx");
        var digest = await store.PutAsync(new MemoryStream(bundle), TestContext.Current.CancellationToken);
        TestModels.WriteEnvironment(repository, TestModels.Pin(digest, 1));
        using var host = new ModelHost(new FolderDesiredStateSource(repository.Path, "staging"), store, "staging",
            new ModelHostOptions { CacheFolder = Path.Combine(repository.Path, ".cache") });

        var status = await host.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Healthy, status.Health);
        var answer = host.Router.Score(host.Snapshot.Models["churn"], TestModels.Row(tenure: 0), "r");
        Assert.Equal(1 / (1 + MathF.Exp(-1f)), answer.Prediction.Probability!.Value, 5);
        Assert.IsType<OnnxScorer>(host.Snapshot.Models["churn"].Primary!.Scorer);
        Assert.Equal(ModelFormat.Onnx, Bundle.Read(bundle).Manifest.ModelFormat);
    }

    [Theory]
    [InlineData(ModelFormat.MlNet)]
    [InlineData(ModelFormat.Onnx)]
    public void ScorersLoad_MlNetBundleWithoutOnnxExport_IsServedByMlNetWhateverTheRuntimeAsked(ModelFormat runtime)
    {
        var bundle = Bundle.Read(TestModels.Bundle(1));

        var scorer = Scorers.Load(bundle, runtime);

        Assert.IsType<ModelScorer>(scorer);
    }
}
