using System.Collections.Generic;
using System.Linq;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Models;

/// <summary>Reads <c>models/*.yaml</c>.</summary>
public static class ModelParser
{
    /// <summary>Parses one model file; never throws on bad input.</summary>
    /// <param name="path">The file's path relative to the repository root, used in findings.</param>
    /// <param name="text">The file's content.</param>
    public static ParseResult<ModelSpec> Parse(string path, string text) => Parse(path, text, coverage: null);

    internal static ParseResult<ModelSpec> Parse(string path, string text, ISet<PropertySchema>? coverage)
    {
        var diagnostics = new List<Diagnostic>();
        var context = new ParseContext(path, diagnostics, coverage);
        var root = YamlDocumentReader.Read(path, text, diagnostics);
        var reader = root is null ? null : ObjectReader.ForRoot(root, DeclarationSchemas.Model, context, "model");
        var value = reader is null ? null : Read(reader);
        return new ParseResult<ModelSpec>(value is null ? null : new Declared<ModelSpec>(value, context.ToSourceMap()), diagnostics);
    }

    // A gate on a metric evaluation never measures would fail at the Gate stage, after training;
    // saying so here costs nothing and names the metrics that exist.
    private static void ReportUnmeasuredMetric(ParseContext context, ObjectReader item, GateRule rule, ModelTask task, string taskName)
    {
        var perSlice = rule.Slice is not null;
        var allowed = GateMetrics.Allowed(task, perSlice);
        if (allowed.Contains(rule.Metric))
        {
            return;
        }

        var nearest = Suggestions.Nearest(rule.Metric, allowed);
        var message = perSlice && GateMetrics.ModelWide.Contains(rule.Metric)
            ? $"'{rule.Metric}' is measured for the whole model, not per slice. Remove 'slice' from this rule, or gate the slice on one of: {string.Join(", ", allowed)}."
            : $"'{rule.Metric}' is not measured for a {taskName} model{(nearest is null ? "" : $"; did you mean '{nearest}'?")}. Use one of: {string.Join(", ", allowed)}.";
        context.Report(DiagnosticIds.GateMetricNotMeasured, item.LocationOf("metric"), message);
    }

    private static ModelSpec? Read(ObjectReader reader)
    {
        var name = reader.String("model");
        var description = reader.String("description");
        var taskText = reader.String("task");
        var featureSetText = reader.String("featureSet");
        FeatureSetReference.TryParse(featureSetText ?? string.Empty, out var featureSet);

        var labelReader = reader.Object("label");
        var label = labelReader?.String("column") is { } column ? new LabelSpec(column, labelReader.Scalar("positive")?.Text) : null;

        var data = ReadData(reader.Object("data"));
        var trainer = ReadTrainer(reader.Object("trainer"));
        var slices = reader.Scalars("slices").Select(s => s.Text).ToList();
        var gateRules = reader.Objects("gate").Select(item => (Item: item, Rule: GateRuleReader.Read(item))).ToList();
        var gate = gateRules.Select(r => r.Rule).OfType<GateRule>().ToList();

        var task = taskText is null ? (ModelTask?)null : (ModelTask)DeclarationSchemas.TaskNames.ToList().IndexOf(taskText);
        if (task == ModelTask.BinaryClassification && label is { Positive: null })
        {
            reader.Context.Report(DiagnosticIds.PositiveLabelRequired, reader.LocationOf("label"),
                $"binary classification needs to know which label value is the positive class. Add 'positive:' under 'label', for example positive: \"Yes\".");
        }

        foreach (var (item, rule) in gateRules)
        {
            if (rule is { Slice: { } slice } && !slices.Contains(slice))
            {
                reader.Context.Report(DiagnosticIds.GateSliceNotDeclared, item.LocationOf("slice"),
                    $"a gate rule on '{rule.Metric}' names slice '{slice}', which is not in 'slices'. Add it to 'slices' so its metrics are computed.");
            }

            if (rule is not null && task is { } known)
            {
                ReportUnmeasuredMetric(reader.Context, item, rule, known, taskText!);
            }
        }

        return name is null || task is null || featureSet is null || label is null || data is null || trainer is null
            ? null
            : new ModelSpec(name, task.Value, featureSet, label, data, trainer, slices, gate, description);
    }

    private static DataSpec? ReadData(ObjectReader? data)
    {
        if (data is null)
        {
            return null;
        }

        var path = data.String("path");
        var digest = data.String("digest");
        var splitReader = data.Object("split");
        var split = splitReader is null
            ? SplitSpec.Default
            : new SplitSpec(
                splitReader.Number("holdout") ?? SplitSpec.Default.Holdout,
                splitReader.Integer("seed") ?? SplitSpec.Default.Seed,
                splitReader.String("timeColumn"))
            {
                Folds = splitReader.Integer("folds"),
            };
        if (splitReader is not null)
        {
            CheckSplit(data.Context, splitReader, split);
        }

        return digest is null ? null : new DataSpec(path, digest, split);
    }

    // Holdout 0 is only meaningful when folds evaluate the model instead; folds over a time split would
    // train on the future of the rows they score, so they are refused until time-ordered folds exist.
    private static void CheckSplit(ParseContext context, ObjectReader split, SplitSpec spec)
    {
        if (spec.Holdout < MinimumHoldout && !(spec.Holdout == 0 && spec.Folds is not null))
        {
            context.Report(DiagnosticIds.SplitNotUsable, split.LocationOf("holdout"), spec.Holdout == 0
                ? "'holdout' is 0, which leaves no rows to evaluate the model on. Add 'folds: 5' to evaluate by cross-validation alone, or hold out between 0.01 and 0.9 of the rows."
                : $"'holdout' is {spec.Holdout.ToString(System.Globalization.CultureInfo.InvariantCulture)}, less than the smallest holdout, {MinimumHoldout.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Hold out between 0.01 and 0.9 of the rows, or 0 with 'folds' to evaluate by cross-validation alone.");
        }

        if (spec.Folds is not null && spec.TimeColumn is not null)
        {
            context.Report(DiagnosticIds.SplitNotUsable, split.LocationOf("folds"),
                "'folds' cannot be combined with 'timeColumn': random folds would train on rows later than the ones they score. Remove 'folds' to evaluate on the latest rows, or remove 'timeColumn' to cross-validate.");
        }
    }

    private const double MinimumHoldout = 0.01;

    private static TrainerSpec? ReadTrainer(ObjectReader? trainer)
    {
        if (trainer is null)
        {
            return null;
        }

        var name = trainer.String("name");
        var seed = trainer.Integer("seed") ?? 42;
        var parameters = trainer.ScalarMap("params");
        if (name is null)
        {
            return null;
        }

        var spec = new TrainerSpec(name, seed, parameters)
        {
            Trials = trainer.Integer("trials") ?? TrainerSpec.DefaultTrials,
            Trainers = trainer.Scalars("trainers").Select(s => s.Text).ToList(),
        };
        ReportAutoOptions(trainer, spec);
        return spec;
    }

    // auto picks every parameter itself: fixed params would silently narrow (or contradict) the search,
    // and trials/trainers mean nothing to a named trainer; both are mistakes worth stopping at validate.
    private static void ReportAutoOptions(ObjectReader trainer, TrainerSpec spec)
    {
        if (spec.IsAuto && trainer.Has("params"))
        {
            trainer.Context.Report(DiagnosticIds.AutoTrainerOptions, trainer.LocationOf("params"),
                "trainer 'auto' chooses the trainer and its parameters itself, so it takes no 'params'. "
                + "Remove 'params', or name one trainer (for example lightgbm) to set its parameters.");
        }

        foreach (var key in new[] { "trials", "trainers" })
        {
            if (!spec.IsAuto && trainer.Has(key))
            {
                trainer.Context.Report(DiagnosticIds.AutoTrainerOptions, trainer.LocationOf(key),
                    $"'{key}' applies only to trainer 'auto', but the trainer is '{spec.Name}'. Remove '{key}', or set 'name: auto' to search trainers.");
            }
        }
    }
}
