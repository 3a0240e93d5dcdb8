using System.Globalization;
using System.Text;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>Loads declarations from a folder and builds training and evaluation requests.</summary>
internal static class TrainingRepository
{
    public static async Task<TrainingRequest> RequestAsync(string root, string model)
    {
        var declarations = await RepositoryLoader.LoadAsync(root, TestContext.Current.CancellationToken);
        var spec = declarations.FindModel(model) ?? throw new InvalidOperationException($"No model {model}: {string.Join("; ", declarations.Diagnostics)}");
        var features = declarations.Find(spec.Value.FeatureSet) ?? throw new InvalidOperationException($"No feature set {spec.Value.FeatureSet}.");
        return new TrainingRequest(root, spec, features);
    }

    public static EvaluationRequest Evaluation(TrainingRequest request, string modelPath) =>
        new(request.RepositoryRoot, request.Model, request.FeatureSet, modelPath);

    /// <summary>The example repository with its data cut to the first <paramref name="rows"/> rows (digest updated).</summary>
    public static ExampleRepository Example(int rows)
    {
        var example = new ExampleRepository();
        var lines = example.DataLines;
        example.Write("data/telco-churn.csv", string.Join('\n', lines.Take(rows + 1)) + "\n");
        example.UpdateDataDigest();
        return example;
    }

    public static string Digest(TempDirectory repository, string path) => SyntheticRepository.Digest(repository, path);

    public static void RefreshDigest(TempDirectory repository) => SyntheticRepository.RefreshDigest(repository);

    public static TempDirectory Synthetic(ModelTask task, string trainer, string extraModelYaml = "", int rows = 300) =>
        SyntheticRepository.Create(
            task switch
            {
                ModelTask.MulticlassClassification => "multiclass-classification",
                ModelTask.BinaryClassification => "binary-classification",
                _ => "regression",
            },
            trainer,
            extraModelYaml,
            rows);
}
