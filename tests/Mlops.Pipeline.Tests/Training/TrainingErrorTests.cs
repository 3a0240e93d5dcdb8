using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>Each bad input stops training with one finding at the right file, field and id.</summary>
public sealed class TrainingErrorTests
{
    [Fact]
    public async Task Train_UnknownTrainer_ReportsMLOPS0501AtTrainerNameWithSuggestion()
    {
        using var example = TrainingRepository.Example(rows: 50);
        example.Replace("models/churn.yaml", "name: lbfgs", "name: lightgmb");

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0501", error.Diagnostic.Id);
        Assert.Equal(request.Model.Map["trainer.name"], error.Diagnostic.Location);
        Assert.Contains("there is no trainer 'lightgmb'. Did you mean 'lightgbm'? Trainers for binary-classification: lightgbm, fasttree, fastforest, sdca, lbfgs.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_TrainerWithoutTheTask_ReportsMLOPS0507()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.MulticlassClassification, "fastforest", rows: 20);

        var (error, _) = await TrainAsync(repository, "points");

        Assert.Equal("MLOPS0507", error.Diagnostic.Id);
        Assert.Contains("trainer 'fastforest' does not train multiclass-classification models. Use one of: lightgbm, fasttree, sdca, lbfgs.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_UnknownParameter_ReportsMLOPS0502AtTheParameterWithSuggestionFirst()
    {
        using var example = TrainingRepository.Example(rows: 50);
        example.Replace("models/churn.yaml", "  seed: 42\nslices", "  seed: 42\n  params: { l2Regularisation: 0.5 }\nslices");

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0502", error.Diagnostic.Id);
        Assert.Equal(request.Model.Map["trainer.params.l2Regularisation"], error.Diagnostic.Location);
        Assert.True(request.Model.Map.Contains("trainer.params.l2Regularisation"));
        Assert.Contains("trainer 'lbfgs' has no parameter 'l2Regularisation'. Did you mean 'l2Regularization'? Its parameters are: l2Regularization, ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lightgbm", "numberOfLeaves", "0", "must be at least 2")]
    [InlineData("lightgbm", "learningRate", "-1", "must be above 0")]
    [InlineData("fasttree", "numberOfTrees", "2.5", "takes a whole number, not '2.5'")]
    [InlineData("lbfgs", "l2Regularization", "fast", "takes a number, not 'fast'")]
    [InlineData("lbfgs", "historySize", "0", "refused parameter 'historySize'")]
    [InlineData("lightgbm", "evaluationMetric", "best", "takes one of ")]
    public async Task Train_InvalidParameterValue_ReportsMLOPS0503AtTheParameter(string trainer, string parameter, string value, string message)
    {
        using var example = TrainingRepository.Example(rows: 200);
        example.Replace("models/churn.yaml", "name: lbfgs\n  seed: 42\n", $"name: {trainer}\n  seed: 42\n  params: {{ {parameter}: {value} }}\n");

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0503", error.Diagnostic.Id);
        Assert.Equal(request.Model.Map[$"trainer.params.{parameter}"], error.Diagnostic.Location);
        Assert.True(request.Model.Map.Contains($"trainer.params.{parameter}"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_LabelWithOneClass_ReportsMLOPS0504AtLabelColumn()
    {
        using var example = TrainingRepository.Example(rows: 100);
        var lines = example.DataLines;
        example.Write("data/telco-churn.csv", string.Join('\n', lines.Select((l, i) => i == 0 || l.StartsWith("\"Yes\"", StringComparison.Ordinal) ? l : "\"Yes\"" + l[4..])) + "\n");
        example.UpdateDataDigest();

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0504", error.Diagnostic.Id);
        Assert.Equal(request.Model.Map["label.column"], error.Diagnostic.Location);
        Assert.Contains("label column 'churn' is always 'Yes' in the", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_FeatureEmptyInEveryRow_ReportsMLOPS0505AtTheFeatureDeclaration()
    {
        using var example = TrainingRepository.Example(rows: 100);
        var lines = example.DataLines;
        example.Write("data/telco-churn.csv", string.Join('\n', lines.Select((l, i) => i == 0 ? l : l[..(l.LastIndexOf(',') + 1)])) + "\n");
        example.UpdateDataDigest();

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0505", error.Diagnostic.Id);
        Assert.Equal(request.FeatureSet.Map[$"features[{request.FeatureSet.Value.Features.Count - 1}].name"], error.Diagnostic.Location);
        Assert.Contains("feature 'total_charges' is empty in all", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_OneRowFile_ReportsMLOPS0506AtHoldout()
    {
        using var example = TrainingRepository.Example(rows: 10);
        var lines = example.DataLines;
        example.Write("data/telco-churn.csv", lines[0] + "\n" + lines.First(l => l.StartsWith("\"Yes\"", StringComparison.Ordinal)) + "\n");
        example.UpdateDataDigest();

        var (error, request) = await TrainAsync(example);

        Assert.Equal("MLOPS0506", error.Diagnostic.Id);
        Assert.Equal(request.Model.Map["data.split.holdout"], error.Diagnostic.Location);
        Assert.Contains("splitting the 1 row of 'data/telco-churn.csv' with holdout 0.2 leaves", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_DataDigestChanged_ReportsTheValidationFinding()
    {
        using var example = TrainingRepository.Example(rows: 50);
        example.EditDataLine(2, l => l.Replace("29.85", "29.95", StringComparison.Ordinal));

        var (error, _) = await TrainAsync(example);

        Assert.Equal("MLOPS0402", error.Diagnostic.Id);
    }

    [Fact]
    public async Task Train_TimeColumnWithUnparseableValue_ReportsMLOPS0508AtTheDataValue()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.Regression, "lbfgs", rows: 30);
        repository.Replace("models/points.yaml", "split: { holdout: 0.25, seed: 3 }", "split: { holdout: 0.25, seed: 3, timeColumn: when }");
        repository.Replace("data/points.csv", "2024-01-01T04:00:00Z", "soon");
        TrainingRepository.RefreshDigest(repository);

        var (error, _) = await TrainAsync(repository, "points");

        Assert.Equal("MLOPS0508", error.Diagnostic.Id);
        Assert.Equal(("data/points.csv", 6, 1), (error.Diagnostic.Location.Path, error.Diagnostic.Location.Line, error.Diagnostic.Location.Column));
        Assert.Contains("'soon' (line 6)", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(TrainingException Error, TrainingRequest Request)> TrainAsync(TempDirectory repository, string model = "churn")
    {
        using var output = new TempDirectory();
        var request = await TrainingRepository.RequestAsync(repository.Path, model);
        var error = await Assert.ThrowsAsync<TrainingException>(() => new ModelTrainer().TrainAsync(request, output.Path, cancellationToken: TestContext.Current.CancellationToken));
        return (error, request);
    }
}
