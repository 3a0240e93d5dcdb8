using Mlops.Declarations.Models;

namespace Mlops.Declarations.Tests.Models;

/// <summary><c>trainer: { name: auto, trials: N, trainers: [...] }</c> as the parser reads and checks it.</summary>
public sealed class AutoTrainerParserTests
{
    private const string Path = "models/churn.yaml";

    private static string Model(string trainer) => string.Join("\n",
        "model: churn",
        "task: binary-classification",
        "featureSet: customer@1",
        "label: { column: churn, positive: \"Yes\" }",
        "data:",
        "  path: data/telco-churn.csv",
        "  digest: sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7",
        trainer) + "\n";

    [Fact]
    public void Parse_AutoWithTrialsAndTrainers_ReadsThem()
    {
        var result = ModelParser.Parse(Path, Model("trainer: { name: auto, trials: 6, seed: 7, trainers: [lbfgs, lightgbm] }"));

        Assert.Empty(result.Diagnostics);
        var trainer = result.Declaration!.Value.Trainer;
        Assert.True(trainer.IsAuto);
        Assert.Equal(6, trainer.Trials);
        Assert.Equal(7, trainer.Seed);
        Assert.Equal(["lbfgs", "lightgbm"], trainer.Trainers);
        Assert.Empty(trainer.Params);
    }

    [Fact]
    public void Parse_AutoAlone_DefaultsToTwentyTrialsOverEveryTrainer()
    {
        var result = ModelParser.Parse(Path, Model("trainer: { name: auto }"));

        Assert.Empty(result.Diagnostics);
        Assert.Equal(20, result.Declaration!.Value.Trainer.Trials);
        Assert.Empty(result.Declaration.Value.Trainer.Trainers);
    }

    [Fact]
    public void Parse_AutoWithParams_ReportsMlops0216AtParamsSayingWhy()
    {
        var result = ModelParser.Parse(Path, Model("trainer: { name: auto, trials: 20, params: { learningRate: 0.1 } }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0216", Path, 8, 44,
            "trainer 'auto' chooses the trainer and its parameters itself, so it takes no 'params'. Remove 'params', or name one trainer");
    }

    [Theory]
    [InlineData("trainer: { name: lightgbm, trials: 5 }", 36, "'trials' applies only to trainer 'auto', but the trainer is 'lightgbm'.")]
    [InlineData("trainer: { name: lbfgs, trainers: [sdca] }", 35, "'trainers' applies only to trainer 'auto', but the trainer is 'lbfgs'.")]
    public void Parse_AutoOptionOnNamedTrainer_ReportsMlops0216(string trainer, int column, string message)
    {
        var result = ModelParser.Parse(Path, Model(trainer));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0216", Path, 8, column, message);
    }

    [Theory]
    [InlineData("0", 32)]
    [InlineData("201", 32)]
    public void Parse_TrialsOutOfRange_ReportsTheRange(string trials, int column)
    {
        var result = ModelParser.Parse(Path, Model($"trainer: {{ name: auto, trials: {trials} }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 8, column, $"'trainer.trials' is {trials}, outside the allowed range [1, 200].");
    }
}
