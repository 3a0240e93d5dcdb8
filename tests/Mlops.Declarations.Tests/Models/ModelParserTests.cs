using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;

namespace Mlops.Declarations.Tests.Models;

public sealed class ModelParserTests
{
    private const string Path = "models/churn.yaml";
    private const string Digest = "sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7";

    /// <summary>A valid model, one key a line; <paramref name="replace"/> swaps whole lines (1-based) for others.</summary>
    private static string Model(params (int Line, string Text)[] replace)
    {
        string[] lines =
        [
            "model: churn",
            "task: binary-classification",
            "featureSet: customer@1",
            "label: { column: churn, positive: \"Yes\" }",
            "data:",
            "  path: data/telco-churn.csv",
            $"  digest: {Digest}",
            "trainer: { name: lbfgs }",
            "slices: [contract]",
            "gate:",
            "  - { metric: auc, threshold: 0.8 }",
        ];
        foreach (var (line, text) in replace)
        {
            lines[line - 1] = text;
        }

        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public void Parse_ValidModel_HasNoDiagnostics()
    {
        var result = ModelParser.Parse(Path, Model());

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Declaration);
    }

    [Fact]
    public void Parse_BinaryClassificationWithoutPositive_ReportsMlops0207AtLabel()
    {
        var result = ModelParser.Parse(Path, Model((4, "label: { column: churn }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0207", Path, 4, 8,
            "binary classification needs to know which label value is the positive class.", "Add 'positive:' under 'label'");
    }

    [Fact]
    public void Parse_RegressionWithoutPositive_HasNoDiagnostics()
    {
        var result = ModelParser.Parse(Path, Model((2, "task: regression"), (4, "label: { column: total_charges }"), (11, "  - { metric: rmse, max: 100 }")));

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Parse_PositiveLabelAsNumber_KeepsItsText()
    {
        var result = ModelParser.Parse(Path, Model((4, "label: { column: churn, positive: 1 }")));

        Assert.Empty(result.Diagnostics);
        Assert.Equal("1", result.Declaration!.Value.Label.Positive);
    }

    [Theory]
    [InlineData("  - { metric: auc }")]
    [InlineData("  - { metric: auc, baseline: champion }")]
    public void Parse_GateRuleWithoutComparison_ReportsMlops0208AtTheRule(string rule)
    {
        var result = ModelParser.Parse(Path, Model((11, rule)));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0208", Path, 11, 5,
            "the rule on 'auc' states no comparison, so it can never fail.", "Add threshold, max, maxGap, minAbsoluteChange or minRelativeChange.");
        Assert.Empty(result.Declaration!.Value.Gate);
    }

    [Fact]
    public void Parse_GateSliceNotInSlices_ReportsMlops0209AtTheSlice()
    {
        var result = ModelParser.Parse(Path, Model((11, "  - { metric: recall, threshold: 0.5, slice: tenure }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0209", Path, 11, 46,
            "a gate rule on 'recall' names slice 'tenure', which is not in 'slices'.", "Add it to 'slices'");
    }

    [Theory]
    [InlineData("task: regression", "  - { metric: auc, threshold: 0.8 }", "'auc' is not measured for a regression model. Use one of: rmse, mae, r2, p50LatencyMs, p99LatencyMs, modelSizeBytes.")]
    [InlineData("task: binary-classification", "  - { metric: acuracy, threshold: 0.8 }", "'acuracy' is not measured for a binary-classification model; did you mean 'accuracy'?")]
    [InlineData("task: multiclass-classification", "  - { metric: f1, threshold: 0.8 }", "'f1' is not measured for a multiclass-classification model. Use one of: microAccuracy, macroAccuracy, logLoss, p50LatencyMs")]
    [InlineData("task: binary-classification", "  - { metric: p99LatencyMs, max: 2, slice: contract }", "'p99LatencyMs' is measured for the whole model, not per slice. Remove 'slice' from this rule")]
    public void Parse_GateMetricNotMeasuredForTheTask_ReportsMlops0212AtTheMetric(string task, string rule, string message)
    {
        var result = ModelParser.Parse(Path, Model((2, task), (4, "label: { column: churn, positive: 1 }"), (11, rule)));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0212", Path, 11, 15, message);
    }

    [Theory]
    [InlineData("task: binary-classification", "  - { metric: p99LatencyMs, max: 2 }")]
    [InlineData("task: binary-classification", "  - { metric: recall, threshold: 0.5, slice: contract }")]
    [InlineData("task: multiclass-classification", "  - { metric: macroAccuracy, threshold: 0.5, slice: contract }")]
    [InlineData("task: regression", "  - { metric: modelSizeBytes, max: 1000000 }")]
    public void Parse_GateMetricMeasuredForTheTask_HasNoDiagnostics(string task, string rule)
    {
        var result = ModelParser.Parse(Path, Model((2, task), (4, "label: { column: churn, positive: 1 }"), (11, rule)));

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Parse_SecondGateRuleSliceNotInSlices_ReportsMlops0209AtThatRule()
    {
        var text = Model() + "  - { metric: recall, threshold: 0.5, slice: contract }\n  - { metric: precision, threshold: 0.5, slice: partner }\n";

        var result = ModelParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0209", Path, 13, 49, "names slice 'partner'");
    }

    [Theory]
    [InlineData("customer", "customer@1")]
    [InlineData("customer@v1", "customer@1")]
    [InlineData("Customer@2", "customer@2")]
    [InlineData("customer@0", "customer@1")]
    [InlineData("customer@03", "customer@3")]
    public void Parse_FeatureSetNotNameAtVersion_ReportsMlops0203WithTheLikelyReference(string reference, string suggestion)
    {
        var result = ModelParser.Parse(Path, Model((3, "featureSet: " + reference)));

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0203", Path, 3, 13,
            $"'featureSet' is '{reference}', which is not a feature set reference: write a lowercase name, '@' and a version from 1, such as '{suggestion}'.");
    }

    [Theory]
    [InlineData(2, "task: binary-clasification", 7, "'task' is 'binary-clasification', which is not one of: binary-classification, multiclass-classification, regression. Did you mean 'binary-classification'?")]
    [InlineData(7, "  digest: sha256:a55b", 11, "'data.digest' is 'sha256:a55b', which does not have the required form: The file's sha256, as sha256:<64 hex digits>;")]
    [InlineData(1, "model: Churn", 8, "'model' is 'Churn', which does not have the required form")]
    [InlineData(11, "  - { metric: auc, threshold: 0.8, baseline: champoin }", 46, "'gate[0].baseline' is 'champoin', which is not one of: champion, primary. Did you mean 'champion'?")]
    public void Parse_ValueNotAllowed_ReportsMlops0009AtTheValue(int line, string replacement, int column, string message)
    {
        var result = ModelParser.Parse(Path, Model((line, replacement)));

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0009", Path, line, column, message);
    }

    [Theory]
    [InlineData("  split: { holdout: 0.95 }", 21, "'data.split.holdout' is 0.95, outside the allowed range [0, 0.9]. Use a value inside it.")]
    [InlineData("  split: { holdout: -0.1 }", 21, "'data.split.holdout' is -0.1, outside the allowed range [0, 0.9].")]
    [InlineData("  split: { folds: 1 }", 19, "'data.split.folds' is 1, outside the allowed range [2, 20]. Use a value inside it.")]
    [InlineData("  split: { folds: 25 }", 19, "'data.split.folds' is 25, outside the allowed range [2, 20]. Use a value inside it.")]
    public void Parse_HoldoutOrFoldsOutOfRange_ReportsMlops0009WithTheRange(string split, int column, string message)
    {
        var result = ModelParser.Parse(Path, Model((8, split + "\ntrainer: { name: lbfgs }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 8, column, message);
    }

    [Fact]
    public void Parse_FoldsWord_ReportsMlops0008()
    {
        var result = ModelParser.Parse(Path, Model((8, "  split: { folds: five }\ntrainer: { name: lbfgs }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0008", Path, 8, 19, "'data.split.folds' must be a whole number, but it is 'five'.");
    }

    [Theory]
    [InlineData("  split: { folds: 5, seed: 7 }", 0.2, 5)]
    [InlineData("  split: { folds: 5, holdout: 0 }", 0.0, 5)]
    [InlineData("  split: { holdout: 0.3 }", 0.3, null)]
    public void Parse_Folds_WithOrWithoutAHoldout(string split, double holdout, int? folds)
    {
        var result = ModelParser.Parse(Path, Model((8, split + "\ntrainer: { name: lbfgs }")));

        Assert.Empty(result.Diagnostics);
        Assert.Equal((holdout, folds), (result.Declaration!.Value.Data.Split.Holdout, result.Declaration.Value.Data.Split.Folds));
    }

    [Theory]
    [InlineData("  split: { holdout: 0 }", 21, "'holdout' is 0, which leaves no rows to evaluate the model on. Add 'folds: 5' to evaluate by cross-validation alone")]
    [InlineData("  split: { holdout: 0.005, folds: 5 }", 21, "'holdout' is 0.005, less than the smallest holdout, 0.01.")]
    [InlineData("  split: { folds: 5, timeColumn: month }", 19, "'folds' cannot be combined with 'timeColumn'")]
    public void Parse_SplitWithoutAUsableEvaluation_ReportsMlops0214(string split, int column, string message)
    {
        var result = ModelParser.Parse(Path, Model((8, split + "\ntrainer: { name: lbfgs }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0214", Path, 8, column, message);
    }

    [Theory]
    [InlineData(4, "label: churn", 8, "'label' must be a mapping of keys to values, but it is 'churn'.")]
    [InlineData(9, "slices: contract", 9, "'slices' must be a list, but it is 'contract'.")]
    [InlineData(8, "trainer: { name: lbfgs, seed: 4.2 }", 31, "'trainer.seed' must be a whole number, but it is '4.2'.")]
    [InlineData(8, "trainer: { name: lbfgs, params: [l2] }", 33, "'trainer.params' must be a mapping of names to values, but it is a list.")]
    [InlineData(8, "trainer: { name: lbfgs, params: { l2: [0.1] } }", 39, "'trainer.params.l2' must be a single value, but it is a list.")]
    [InlineData(11, "  - { metric: auc, threshold: high }", 31, "'gate[0].threshold' must be a number, but it is 'high'.")]
    public void Parse_ValueOfWrongType_ReportsMlops0008WithItsPath(int line, string replacement, int column, string message)
    {
        var result = ModelParser.Parse(Path, Model((line, replacement)));

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0008", Path, line, column, message);
    }

    [Fact]
    public void Parse_MissingNestedKey_ReportsMlops0007AtItsMapping()
    {
        var result = ModelParser.Parse(Path, Model((5, "data: { path: data/telco-churn.csv }"), (6, ""), (7, "")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0007", Path, 5, 7, "'data.digest' is required but missing. Add it: The file's sha256");
        Assert.Null(result.Declaration);
    }

    [Fact]
    public void Parse_TrainerParameterTwice_ReportsMlops0010AtTheSecond()
    {
        var result = ModelParser.Parse(Path, Model((8, "trainer: { name: lbfgs, params: { l2: 0.1, l2: 0.2 } }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0010", Path, 8, 44, "'l2' appears twice in 'trainer.params' (first at line 8). Keep one of them.");
        Assert.Equal("0.1", result.Declaration!.Value.Trainer.Params["l2"].Text);
    }

    [Fact]
    public void Parse_TrainerParameterTwiceFirstInvalid_ReportsBothProblems()
    {
        var result = ModelParser.Parse(Path, Model((8, "trainer: { name: lbfgs, params: { l2: [1], l2: 0.2 } }")));

        Assert.Equal(2, result.Diagnostics.Count);
        DiagnosticAssert.One(result.Diagnostics, "MLOPS0008", Path, 8, 39, "'trainer.params.l2' must be a single value");
        DiagnosticAssert.One(result.Diagnostics, "MLOPS0010", Path, 8, 44, "'l2' appears twice in 'trainer.params'");
    }

    [Fact]
    public void Parse_DataWithDigestAndNoPath_IsDataKeptInTheStore()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("models", "churn.yaml")).Replace("  path: data/telco-churn.csv\n", "", StringComparison.Ordinal);

        var result = ModelParser.Parse("models/churn.yaml", text);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(new DataSpec(null, Digest, new SplitSpec(0.2, 42, null)), result.Declaration!.Value.Data);
        Assert.True(result.Declaration.Value.Data.InStore);
    }

    [Fact]
    public void Parse_DataWithoutDigest_IsStillRefused()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("models", "churn.yaml")).Replace("  digest: " + Digest + "\n", "", StringComparison.Ordinal);

        var result = ModelParser.Parse("models/churn.yaml", text);

        Assert.Null(result.Declaration);
        Assert.Contains(result.Diagnostics, d => d.Id == "MLOPS0007" && d.Message.StartsWith("'data.digest' is required but missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ExampleChurn_HasTheValuesOfModelsChurnYaml()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("models", "churn.yaml"));

        var result = ModelParser.Parse("models/churn.yaml", text);

        Assert.Empty(result.Diagnostics);
        var model = result.Declaration!.Value;
        Assert.Equal("churn", model.Name);
        Assert.Equal("Predicts whether a customer leaves within the month.", model.Description);
        Assert.Equal(ModelTask.BinaryClassification, model.Task);
        Assert.Equal(new FeatureSetReference("customer", 1), model.FeatureSet);
        Assert.Equal(new LabelSpec("churn", "Yes"), model.Label);
        Assert.Equal(new DataSpec("data/telco-churn.csv", Digest, new SplitSpec(0.2, 42, null)), model.Data);
        Assert.Equal("lbfgs", model.Trainer.Name);
        Assert.Equal(42, model.Trainer.Seed);
        Assert.Empty(model.Trainer.Params);
        Assert.Equal(["contract"], model.Slices);
        Assert.Equal(
            [
                new GateRule("auc", 0.80, null, null, null, GateBaseline.Champion, null),
                new GateRule("auc", null, null, -0.01, null, GateBaseline.Champion, null),
                new GateRule("auc", 0.6, null, null, null, GateBaseline.Champion, "contract"),
                new GateRule("p99LatencyMs", null, 2, null, null, GateBaseline.Champion, null),
            ],
            model.Gate);
        Assert.Equal(new SourceLocation("models/churn.yaml", 6, 13), result.Declaration.Map["featureSet"]);
        Assert.Equal(new SourceLocation("models/churn.yaml", 7, 18), result.Declaration.Map["label.column"]);
    }

    [Fact]
    public void Parse_KitchenSinkModel_ReadsEveryOption()
    {
        var result = ModelParser.Parse("models/kitchen-sink.yaml", Schema.SchemaCoverageTests.KitchenSink("model.yaml"));

        var model = result.Declaration!.Value;
        Assert.Equal(new SplitSpec(0.25, 7, "signup_month"), model.Data.Split);
        Assert.Equal(7, model.Trainer.Seed);
        Assert.Equal(["learningRate", "numberOfLeaves", "useCategoricalSplit"], model.Trainer.Params.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(31, model.Trainer.Params["numberOfLeaves"].AsNumber());
        Assert.True(model.Trainer.Params["useCategoricalSplit"].AsBoolean());
        Assert.Equal(new GateRule("auc", null, null, null, -0.02, GateBaseline.Champion, null), model.Gate[2]);
        Assert.Equal(new GateRule("recall", null, null, null, null, GateBaseline.Champion, "contract") { MaxGap = 0.3 }, model.Gate[4]);
    }

    [Fact]
    public void Parse_GapRule_ReadsMaxGapAndSlice()
    {
        var result = ModelParser.Parse(Path, Model((11, "  - { metric: recall, slice: contract, maxGap: 0.1 }")));

        Assert.Empty(result.Diagnostics);
        var rule = Assert.Single(result.Declaration!.Value.Gate);
        Assert.Equal(("recall", "contract", 0.1), (rule.Metric, rule.Slice, rule.MaxGap));
        Assert.Null(rule.Threshold);
    }

    [Fact]
    public void Parse_GapRuleWithoutSlice_ReportsMlops0213AtMaxGap()
    {
        var result = ModelParser.Parse(Path, Model((11, "  - { metric: recall, maxGap: 0.1 }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0213", Path, 11, 31,
            "the rule on 'recall' sets maxGap but names no slice", "Add 'slice:' with a declared slice, or remove maxGap.");
    }

    [Fact]
    public void Parse_NegativeMaxGap_ReportsMlops0009AtTheValue()
    {
        var result = ModelParser.Parse(Path, Model((11, "  - { metric: recall, slice: contract, maxGap: -0.1 }")));

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0009", Path, 11, 48, "'gate[0].maxGap' is -0.1");
    }

    [Fact]
    public void Parse_GapRuleOnUndeclaredSlice_ReportsMlops0209AtTheSlice()
    {
        var result = ModelParser.Parse(Path, Model((11, "  - { metric: recall, slice: tenure, maxGap: 0.1 }")));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0209", Path, 11, 30, "names slice 'tenure', which is not in 'slices'.");
    }

    [Theory]
    [InlineData("  - { metric: p99LatencyMs, slice: contract, maxGap: 1 }", "'p99LatencyMs' is measured for the whole model, not per slice.")]
    [InlineData("  - { metric: recal, slice: contract, maxGap: 0.1 }", "'recal' is not measured for a binary-classification model; did you mean 'recall'?")]
    public void Parse_GapRuleOnUnmeasuredMetric_ReportsMlops0212AtTheMetric(string rule, string message)
    {
        var result = ModelParser.Parse(Path, Model((11, rule)));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0212", Path, 11, 15, message);
    }

    [Theory]
    [InlineData("  - { metric: brier, max: 0.2 }")]
    [InlineData("  - { metric: ece, max: 0.05, slice: contract }")]
    public void Parse_CalibrationMetricGate_HasNoDiagnostics(string rule)
    {
        var result = ModelParser.Parse(Path, Model((11, rule)));

        Assert.Empty(result.Diagnostics);
    }
}
