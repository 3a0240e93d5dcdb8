using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Scoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>
/// The framework's defaults (docs/training.md, "Defaults"): the documented table equals the catalog, the
/// recorded parameters are the documented ones unless the model file overrides them, and the scaling each
/// trainer is documented with is the one its pipeline applies.
/// </summary>
public sealed class TrainerDefaultsTests
{
    // | `lightgbm` | binary-classification | none | `learningRate: 0.05`, `numberOfLeaves: 7` |
    private static readonly Regex s_row = new(
        @"^\|\s*`(?<trainer>[a-z]+)`\s*\|\s*(?<task>[a-z-]+)\s*\|\s*(?<scaling>[a-z-]+)\s*\|\s*(?<defaults>[^|]*?)\s*\|$",
        RegexOptions.CultureInvariant);

    public static TheoryData<string, ModelTask> Trainers =>
        new(TrainerCatalog.All.Select(t => (t.Name, t.Task)).Select(t => new TheoryDataRow<string, ModelTask>(t.Name, t.Task)));

    [Fact]
    public void DocumentedTable_EqualsTheCatalog()
    {
        var documented = DocumentedRows().Select(m => $"{m.Groups["trainer"].Value} | {m.Groups["task"].Value} | {m.Groups["scaling"].Value} | {m.Groups["defaults"].Value}");
        var catalog = TrainerCatalog.All.Select(t => $"{t.Name} | {ModelTrainer.TaskName(t.Task)} | {ScalingName(t.Scaling)} | {DefaultsText(t)}");

        Assert.Equal(catalog.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public async Task Bind_NoParams_RecordsTheDocumentedDefaults(string trainer, ModelTask task)
    {
        using var repository = TrainingRepository.Synthetic(task, trainer);
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var definition = TrainerCatalog.FindDefinition(trainer, task)!;
        var errors = new List<Diagnostic>();

        var effective = TrainerParameters.Effective(TrainerParameters.Bind(definition, request.Model, errors));

        Assert.Empty(errors);
        var documented = DocumentedRows().Single(m => m.Groups["trainer"].Value == trainer && m.Groups["task"].Value == ModelTrainer.TaskName(task));
        foreach (Match pair in Regex.Matches(documented.Groups["defaults"].Value, "`(?<name>[A-Za-z0-9]+): (?<value>[^`]+)`"))
        {
            Assert.Equal(pair.Groups["value"].Value, effective[pair.Groups["name"].Value]);
        }
    }

    [Fact]
    public async Task Bind_ParamInTheModelFile_OverridesTheFrameworkDefault()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.BinaryClassification, "lightgbm");
        repository.Replace("models/points.yaml", "  seed: 5", "  seed: 5\n  params: { learningRate: 0.2 }");
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var errors = new List<Diagnostic>();

        var effective = TrainerParameters.Effective(TrainerParameters.Bind(TrainerCatalog.FindDefinition("lightgbm", ModelTask.BinaryClassification)!, request.Model, errors));

        Assert.Empty(errors);
        Assert.Equal("0.2", effective["learningRate"]);
        Assert.Equal("7", effective["numberOfLeaves"]);
    }

    [Theory]
    [InlineData(ModelTask.BinaryClassification)]
    [InlineData(ModelTask.MulticlassClassification)]
    [InlineData(ModelTask.Regression)]
    public async Task Lbfgs_FeatureVector_IsStandardScaledOnTheTrainingRows(ModelTask task)
    {
        var slots = await TrainingFeatureSlotsAsync("lbfgs", task);

        Assert.All(slots, (values, slot) =>
        {
            var mean = values.Average();
            var deviation = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
            Assert.True(Math.Abs(mean) < 1e-4, $"slot {slot}: mean {mean}, expected 0");
            Assert.True(Math.Abs(deviation - 1) < 0.01, $"slot {slot}: standard deviation {deviation}, expected 1");
        });
    }

    [Fact]
    public async Task Sdca_FeatureVector_IsMinMaxScaled()
    {
        var slots = await TrainingFeatureSlotsAsync("sdca", ModelTask.BinaryClassification);

        // Min-max with ML.NET's fixZero divides by the largest magnitude: every slot reaches 1 or -1 and none passes it.
        Assert.All(slots, (values, slot) => Assert.Equal(1.0, values.Max(Math.Abs), 1e-6));
    }

    [Fact]
    public async Task LightGbm_FeatureVector_IsNotScaled()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.BinaryClassification, "lightgbm");
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var data = await TrainingData.LoadAsync(repository.Path, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);

        var slots = await TrainingFeatureSlotsAsync("lightgbm", ModelTask.BinaryClassification);

        // x, the first feature, reaches the vector as read.
        Assert.Equal(data.Train.Select(r => (double)data.NumberAt(0, r)), slots[0]);
    }

    /// <summary>Each slot of the feature vector over the training rows, as the trainer's feature pipeline makes it.</summary>
    private static async Task<double[][]> TrainingFeatureSlotsAsync(string trainer, ModelTask task)
    {
        using var repository = TrainingRepository.Synthetic(task, trainer);
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var data = await TrainingData.LoadAsync(repository.Path, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);
        var ml = new MLContext(5);
        var training = ModelTrainer.LabelledView(ml, data, data.Train);
        var (features, _) = FeaturePipeline.Build(ml, data, TrainerCatalog.Find(trainer, task)!);

        var vectors = features!.Fit(training).Transform(training).GetColumn<VBuffer<float>>(ModelColumns.Features).Select(v => v.DenseValues().ToArray()).ToArray();

        Assert.Equal(data.Train.Length, vectors.Length);
        return [.. Enumerable.Range(0, vectors[0].Length).Select(slot => vectors.Select(v => (double)v[slot]).ToArray())];
    }

    private static IEnumerable<Match> DocumentedRows()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("docs", "training.md"));
        var start = text.IndexOf("\n### Defaults\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/training.md has no '### Defaults' section");
        var section = text[start..];
        var end = section.IndexOf("\n#", 2, StringComparison.Ordinal);
        return section[..(end < 0 ? section.Length : end)].Split('\n').Select(l => s_row.Match(l.TrimEnd())).Where(m => m.Success).ToList();
    }

    private static string ScalingName(FeatureScaling scaling) => scaling switch
    {
        FeatureScaling.MeanVariance => "mean-variance",
        FeatureScaling.MinMax => "min-max",
        _ => "none",
    };

    private static string DefaultsText(Mlops.Pipeline.Training.TrainerInfo trainer) =>
        trainer.Defaults.Count == 0 ? "none" : string.Join(", ", trainer.Defaults.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"`{d.Key}: {d.Value}`"));
}
