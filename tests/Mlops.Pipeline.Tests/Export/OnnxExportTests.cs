using Microsoft.ML.OnnxRuntime;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Export;
using Mlops.Pipeline.Tests.Training;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Scoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Export;

[Collection(ChurnModelCollection.Name)]
public sealed class OnnxExportTests(ChurnModelFixture churn)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Export_Example_EveryHoldoutProbabilityMatchesMlNetWithinTolerance()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, Ct);
        var zip = await File.ReadAllBytesAsync(churn.Training.ModelPath, Ct);

        var result = OnnxExport.Export(zip, data);

        Assert.True(result.Converted, result.Refusal);
        Assert.Equal(data.Holdout.Length, result.RowsCompared);

        // Compared again here, row by row, through both serving scorers: the exporter's own figure is not taken on trust.
        var holdout = data.Rows.Select(data.Holdout);
        var expected = ModelScorer.Load(churn.Training.ModelPath).Score(holdout).Probabilities!;
        using var onnx = OnnxScorer.Load(result.Model!, [.. data.Features.Select(f => f.Name)], ModelTask.BinaryClassification);
        var actual = onnx.Score(holdout).Probabilities!;
        Assert.Equal(data.Holdout.Length, actual.Length);
        var differences = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).ToArray();
        Assert.All(differences, d => Assert.InRange(d, 0, OnnxExport.Tolerance));
        Assert.Equal(differences.Max(), result.MaxAbsoluteDifference);
    }

    [Fact]
    public async Task Export_Example_GraphTakesTheFeaturesByNameAndGivesOneProbabilityOutput()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, Ct);

        var result = OnnxExport.Export(await File.ReadAllBytesAsync(churn.Training.ModelPath, Ct), data);

        using var session = new InferenceSession(result.Model!);
        Assert.Equal(data.Features.Select(f => f.Name).Order(StringComparer.Ordinal), session.InputMetadata.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(typeof(string), session.InputMetadata["contract"].ElementType);
        Assert.Equal(typeof(float), session.InputMetadata["tenure"].ElementType);
        Assert.Equal([OnnxExport.OutputOf(ModelTask.BinaryClassification)], session.OutputMetadata.Keys);
    }

    [Fact]
    public async Task Export_SameModelTwice_GivesTheSameBytes()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, Ct);
        var zip = await File.ReadAllBytesAsync(churn.Training.ModelPath, Ct);

        var first = OnnxExport.Export(zip, data);
        var second = OnnxExport.Export(zip, data);

        Assert.Equal(first.Model, second.Model);
    }

    [Fact]
    public async Task Export_CategoryFilledWithMostFrequent_IsRefusedNamingTheTransformAndColumn()
    {
        // The synthetic colour category is filled with its most frequent value: an ML.NET expression on text, which the converter cannot export.
        using var repository = SyntheticRepository.Create("binary-classification", "lbfgs");
        var (data, zip) = await TrainAsync(repository, "points");

        var result = OnnxExport.Export(zip, data);

        Assert.False(result.Converted);
        Assert.Null(result.Model);
        Assert.Contains("transform ExpressionTransformer (column 'colour')", result.Refusal, StringComparison.Ordinal);
        Assert.Contains("no ONNX export", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_Multiclass_IsRefusedSayingOnnxServesBinaryAndRegression()
    {
        using var repository = Convertible(SyntheticRepository.Create("multiclass-classification", "lbfgs"));
        var (data, zip) = await TrainAsync(repository, "points");

        var result = OnnxExport.Export(zip, data);

        Assert.False(result.Converted);
        Assert.Contains("binary-classification and regression", result.Refusal, StringComparison.Ordinal);
    }

    /// <summary>Every catalog entry, each checked against docs/packaging.md's table.</summary>
    public static TheoryData<string, string> ExportedTrainers =>
        [.. TrainerCatalog.All.Select(t => (t.Name, ModelTrainer.TaskName(t.Task)))];

    [Theory]
    [MemberData(nameof(ExportedTrainers))]
    public async Task Export_EveryTrainer_ConvertsAsTheDocsTableSays(string trainer, string task)
    {
        using var repository = Convertible(SyntheticRepository.Create(task, trainer));
        var (data, zip) = await TrainAsync(repository, "points");

        var result = OnnxExport.Export(zip, data);

        var documented = DocumentedTable()[(trainer, task)];
        Assert.True(documented == result.Converted, $"docs/packaging.md says {trainer} ({task}) {(documented ? "converts" : "does not convert")}; export gave: {result.Refusal ?? $"converted, max difference {result.MaxAbsoluteDifference:G3}"}");
        if (result.Converted)
        {
            Assert.InRange(result.MaxAbsoluteDifference, 0, OnnxExport.Tolerance);
            Assert.Equal(data.Holdout.Length, result.RowsCompared);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Refusal));
        }
    }

    /// <summary>The synthetic repository with its category's most-frequent fill removed, so only the trainer decides whether it converts.</summary>
    private static TempDirectory Convertible(TempDirectory repository)
    {
        repository.Write("features/points.yaml", repository.Read("features/points.yaml").Replace(", nullable: true, fill: mostFrequent", ", nullable: true", StringComparison.Ordinal));

        // Poisson regression (lbfgs) needs a label that is not negative: shift every regression label alike.
        if (repository.Read("models/points.yaml").Contains("task: regression", StringComparison.Ordinal))
        {
            var lines = repository.Read("data/points.csv").TrimEnd('\n').Split('\n');
            var shifted = lines.Skip(1).Select(l =>
            {
                var comma = l.LastIndexOf(',');
                var label = double.Parse(l[(comma + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 10;
                return l[..(comma + 1)] + label.ToString(System.Globalization.CultureInfo.InvariantCulture);
            });
            repository.Write("data/points.csv", string.Join('\n', lines.Take(1).Concat(shifted)) + "\n");
            SyntheticRepository.RefreshDigest(repository);
        }

        return repository;
    }

    private static async Task<(TrainingData Data, byte[] Zip)> TrainAsync(TempDirectory repository, string model)
    {
        var request = await TrainingRepository.RequestAsync(repository.Path, model);
        var trained = await new ModelTrainer().TrainAsync(request, repository.Combine("out"), cancellationToken: Ct);
        var data = await TrainingData.LoadAsync(repository.Path, request.Model, request.FeatureSet, Ct);
        return (data, await File.ReadAllBytesAsync(trained.ModelPath, Ct));
    }

    /// <summary>docs/packaging.md's table of trainers: "| trainer | task | yes/no | ... |" rows under "ONNX export".</summary>
    private static Dictionary<(string Trainer, string Task), bool> DocumentedTable()
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("docs/packaging.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("| Trainer | Task | Exported", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/packaging.md has no table starting '| Trainer | Task | Exported'.");
        var table = new Dictionary<(string, string), bool>();
        foreach (var line in lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            table[(cells[1].Trim('`'), cells[2])] = cells[3].StartsWith("yes", StringComparison.Ordinal);
        }

        return table;
    }
}
