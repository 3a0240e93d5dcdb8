using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli.Commands.Register;

/// <summary>
/// <c>mlops register --onnx FILE --model NAME --feature-set SET@V</c>: checks an ONNX file trained
/// elsewhere against its declarations, evaluates it on the model's holdout rows, and packages, stores
/// and tags it as <c>NAME@vN</c>, after which gate, promote and serve treat it like any other version.
/// </summary>
internal static class RegisterCommand
{
    public static Command Create(CliContext context)
    {
        var workspace = new WorkspaceOptions();
        var onnx = new Option<FileInfo>("--onnx") { Description = "The ONNX file to register.", Required = true };
        var model = new Option<string>("--model") { Description = "The model it is a version of; models/NAME.yaml declares it with trainer: { name: external }.", Required = true };
        var featureSet = new Option<string>("--feature-set") { Description = "The feature set and version the file takes, as NAME@VERSION; must be the one the model declares.", Required = true };
        var command = new Command("register", "Register a model trained elsewhere (ONNX): check it against its feature set, evaluate it on the holdout rows, bundle, store and tag it as MODEL@vN.")
        {
            onnx, model, featureSet, workspace.Repo, workspace.TrackingDb, workspace.Store, workspace.Json,
        };
        command.SetAction((parse, ct) => RunAsync(
            context,
            workspace,
            new RegisterRequest(parse.GetValue(onnx)!.ToString(), parse.GetValue(model)!, parse.GetValue(featureSet)!),
            parse.GetValue(workspace.Store),
            parse,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, WorkspaceOptions options, RegisterRequest request, string? storeValue, ParseResult parse, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(options.Json);
        await using var workspace = await options.OpenAsync(parse, context, cancellationToken).ConfigureAwait(false);
        var store = StoreOption.Open(workspace.Root, storeValue);
        try
        {
            var outcome = await StageProgress.RunAsync(context, json, $"Registering {request.Model}",
                progress => RegisterStage.RunAsync(workspace, request, store, progress, cancellationToken)).ConfigureAwait(false);
            if (json)
            {
                await WriteJsonAsync(context, outcome).ConfigureAwait(false);
            }
            else
            {
                await WriteTextAsync(context, request, outcome).ConfigureAwait(false);
            }
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }

        return ExitCodes.Success;
    }

    private static async Task WriteTextAsync(CliContext context, RegisterRequest request, RegisterOutcome outcome)
    {
        var report = outcome.Evaluation;
        var metrics = string.Join(", ", report.Metrics
            .Where(m => m.Key is not ("modelSizeBytes" or "p50LatencyMs" or "p99LatencyMs"))
            .Take(4)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.####}")));
        var package = outcome.Package;
        var version = package.Version!;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"register {request.Model}: {request.OnnxFile} ({Layout(outcome.Onnx.Layout)}, output '{outcome.Onnx.Output}') on {report.HoldoutRows:N0} holdout rows: {metrics}; p99 {report.Latency.P99Ms:0.000} ms; run {outcome.Run.Id}")).ConfigureAwait(false);
        await context.Out.WriteLineAsync(package.NewVersion
            ? $"  bundle {package.Digest} in {package.Store}; registered as {version.Tag} on commit {version.Commit[..12]}"
            : $"  bundle {package.Digest} in {package.Store}; already registered as {version.Tag} (the same file and declarations)").ConfigureAwait(false);
        await context.Out.WriteLineAsync($"  next: mlops gate {request.Model} --environment staging, then mlops promote {request.Model} --to staging").ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(CliContext context, RegisterOutcome outcome) => JsonOutput.WriteAsync(context.Out, json =>
    {
        json.WriteStartObject();
        json.WriteString("model", outcome.Run.Model);
        json.WriteString("runId", outcome.Run.Id);
        json.WriteString("inputs", outcome.Onnx.Layout == OnnxInputLayout.Packed ? "packed" : "per-feature");
        json.WriteString("output", outcome.Onnx.Output);
        json.WriteString("producer", outcome.Onnx.Producer);
        json.WriteNumber("holdoutRows", outcome.Evaluation.HoldoutRows);
        json.WriteStartObject("metrics");
        foreach (var (name, value) in outcome.Evaluation.Metrics)
        {
            json.WriteNumber(name, value);
        }

        json.WriteEndObject();
        json.WriteString("digest", outcome.Package.Digest);
        json.WriteString("store", outcome.Package.Store);
        json.WriteString("tag", outcome.Package.Version?.Tag);
        json.WriteNumber("version", outcome.Package.Version?.Version ?? 0);
        json.WriteString("commit", outcome.Package.Version?.Commit);
        json.WriteBoolean("newVersion", outcome.Package.NewVersion);
        json.WriteEndObject();
    });

    private static string Layout(OnnxInputLayout layout) => layout == OnnxInputLayout.Packed ? "one packed input" : "one input per feature";
}
