using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mlops.Cli.Output;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Evaluation;
using Spectre.Console;

namespace Mlops.Cli.Commands.Evaluate;

/// <summary><c>mlops evaluate [MODEL]</c>: holdout metrics overall and per slice, latency, and the reference profile of the current run.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var predictions = new Option<FileInfo>("--predictions")
        {
            Description = "Also write each holdout row's prediction to this CSV file (its line in the data, entity, label, and the columns mlops predict writes); with several models, MODEL- is put before the file's name.",
        };
        var command = options.AddTo(new Command("evaluate", "Evaluate the model the current declarations trained: metrics overall and per slice, latency, reference profile.") { predictions });
        command.SetAction((parse, ct) => RunAsync(context, options, parse.GetValue(predictions), parse, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, FileInfo? predictions, ParseResult parse, CancellationToken cancellationToken)
    {
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        return await RunAsync(context, workspace, parse.GetValue(options.Model), parse.GetValue(options.Force), parse.GetValue(options.Json), predictions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates the named model (every model when null) in an open workspace and writes the reports.</summary>
    public static async Task<int> RunAsync(CliContext context, Workspace workspace, string? name, bool force, bool json, FileInfo? predictions, CancellationToken cancellationToken)
    {
        var outcomes = new List<EvaluateOutcome>();
        var models = workspace.Models(name);
        foreach (var (model, features) in models)
        {
            var file = predictions is null ? null
                : models.Count == 1 ? predictions.FullName
                : Path.Combine(predictions.DirectoryName ?? ".", $"{model.Value.Name}-{predictions.Name}");
            var outcome = await StageProgress.RunAsync(context, json, $"Evaluating {model.Value.Name}",
                progress => EvaluateStage.RunAsync(workspace, model, features, force, progress, cancellationToken, file)).ConfigureAwait(false);
            outcomes.Add(outcome);
            if (!json)
            {
                Render(context, outcome);
            }
        }

        if (json)
        {
            var document = outcomes.Select(o => new { model = o.Model, runId = o.Run.Id, cached = o.Cached, report = o.Report });
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(document, EvaluateStage.Json)).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static void Render(CliContext context, EvaluateOutcome outcome)
    {
        var report = outcome.Report;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"evaluate {outcome.Model}: run {outcome.Run.Id}, {report.HoldoutRows:N0} holdout rows{(outcome.Cached ? " (cached evaluation; --force evaluates again)" : "")}"));

        var metrics = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var metric in report.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            metrics.AddRow(metric.Key, Format(metric.Value));
        }

        context.Console.Write(metrics);
        if (report.ConfusionMatrix is { } confusion)
        {
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"confusion: TP {confusion.TruePositives}, FP {confusion.FalsePositives}, TN {confusion.TrueNegatives}, FN {confusion.FalseNegatives}"));
        }

        // One table per slice feature, its values as columns: narrow enough for an 80-column log.
        foreach (var feature in report.Slices.GroupBy(s => s.Feature))
        {
            var slices = feature.ToList();
            var table = new Table().Title(Markup.Escape($"per {feature.Key}")).AddColumn("metric");
            foreach (var slice in slices)
            {
                table.AddColumn(new TableColumn(Markup.Escape(slice.Value)).RightAligned());
            }

            table.AddRow(["rows", .. slices.Select(s => s.Rows.ToString("N0", CultureInfo.InvariantCulture))]);
            foreach (var name in slices.SelectMany(s => s.Metrics.Keys).Distinct().Order(StringComparer.Ordinal))
            {
                table.AddRow([name, .. slices.Select(s => s.Metrics.TryGetValue(name, out var v) ? Format(v) : "")]);
            }

            context.Console.Write(table);
        }

        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency (single row, {report.Latency.Predictions:N0} predictions): p50 {report.Latency.P50Ms:0.000} ms, p99 {report.Latency.P99Ms:0.000} ms; model {report.ModelSizeBytes:N0} bytes"));
    }

    private static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.0000", CultureInfo.InvariantCulture);
}
