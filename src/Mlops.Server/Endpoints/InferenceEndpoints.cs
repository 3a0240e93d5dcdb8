using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary>
/// The Open Inference Protocol v2: model metadata and inference, with its JSON shapes and its
/// <c>{"error": "..."}</c> bodies. Each feature is one input tensor (shape <c>[N]</c> or <c>[N,1]</c>);
/// every row is checked against the feature set before it reaches a model.
/// </summary>
internal static class InferenceEndpoints
{
    private static readonly string[] s_numberDatatypes = ["FP32", "FP64", "INT64", "INT32", "FP16", "INT8", "INT16", "UINT8", "UINT16", "UINT32", "UINT64"];

    public static RouteGroupBuilder MapInference(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/v2/models/{name}").WithTags("inference");
        models.MapGet("", Metadata);
        models.MapGet("/versions/{version}", Metadata);
        models.MapPost("/infer", InferAsync);
        models.MapPost("/versions/{version}/infer", InferAsync);
        return models;
    }

    internal static string NotServed(ModelHost host, string name)
    {
        var served = host.Snapshot.Models.Keys.Order(StringComparer.Ordinal).ToList();
        return $"model '{name}' is not served in environment '{host.Snapshot.Environment}'"
            + (served.Count == 0 ? "; nothing is served yet (GET /status says why)." : $"; served: {string.Join(", ", served)}.");
    }

    private static JsonHttpResult<V2Error> Error(int status, string message) => TypedResults.Json(new V2Error(message), statusCode: status);

    private static Results<Ok<V2ModelMetadata>, JsonHttpResult<V2Error>> Metadata(string name, string? version, ModelHost host)
    {
        var snapshot = host.Snapshot;
        if (!snapshot.Models.TryGetValue(name, out var served))
        {
            return Error(StatusCodes.Status404NotFound, NotServed(host, name));
        }

        LoadedModel? model = served.Primary ?? served.Fallback?.Model;
        if (version is not null)
        {
            model = int.TryParse(version, CultureInfo.InvariantCulture, out var v) ? snapshot.FindVersion(name, v) : null;
            if (model is null)
            {
                return Error(StatusCodes.Status404NotFound, $"version '{version}' of model '{name}' is not loaded. GET /v2/models/{name} lists the loaded versions.");
            }
        }

        if (model is null)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"model '{name}' has no loaded version yet; GET /status says why.");
        }

        var inputs = model.Manifest.Inputs.Select(i => new V2TensorMetadata(i.Name, Datatype(i.Type), [-1])).ToList();
        var classes = model.Scorer.Classes;
        var outputs = V2Outputs.Of(model.Scorer.Kind).Select(o => new V2TensorMetadata(o.Name, o.Datatype, o.PerClass ? [-1, classes.Count] : [-1])).ToList();
        var versions = served.Loaded().Where(l => l.Model == name).Select(l => l.Version.ToString(CultureInfo.InvariantCulture)).Distinct().ToList();
        var parameters = new Dictionary<string, object?>
        {
            ["model_version"] = model.Version.ToString(CultureInfo.InvariantCulture),
            ["bundle_digest"] = model.Digest,
            ["environment_commit"] = served.Commit,
            ["feature_set"] = $"{model.Manifest.FeatureSet.Name}@{model.Manifest.FeatureSet.Version}",
            ["scoring_path"] = model.Scorer is ModelScorer scorer ? scorer.ScoringPath : "onnx runtime",
        };
        if (classes.Count > 0)
        {
            parameters["classes"] = classes; // the columns of the probabilities output
        }

        return TypedResults.Ok(new V2ModelMetadata(name, versions, model.Scorer is OnnxScorer ? "onnxruntime_onnx" : "mlnet", inputs, outputs, parameters));
    }

    private static async Task<IResult> InferAsync(
        string name, string? version, HttpRequest request, ModelHost host, IOptions<ServeOptions> options, PredictionLog log, MlopsMetrics metrics, MonitorService monitor, TimeProvider time, CancellationToken cancellationToken)
    {
        // The clock is read only when something listens: off, recording costs a flag check.
        var started = metrics.IsRecording || monitor.Enabled ? time.GetTimestamp() : 0;
        var snapshot = host.Snapshot;
        if (!snapshot.Models.TryGetValue(name, out var served))
        {
            // Not counted: the name comes from the request, and a label per made-up name has no bound.
            return Error(StatusCodes.Status404NotFound, NotServed(host, name));
        }

        try
        {
            return await InferServedAsync(name, version, request, host, snapshot, served, options, log, metrics, monitor, time, started, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (RecordInternal(metrics, name, RequestRoute.V2, cancellationToken))
        {
            throw; // never reached: the filter counts the failure and lets it propagate unchanged
        }
    }

    /// <summary>What a request to a served model failed with, as the error counter's kind.</summary>
    internal static RequestErrorKind ErrorKind(int status) =>
        status == StatusCodes.Status503ServiceUnavailable ? RequestErrorKind.Unavailable
        : status >= StatusCodes.Status500InternalServerError ? RequestErrorKind.Internal
        : RequestErrorKind.BadRequest;

    /// <summary>An exception filter: counts an unexpected failure as internal (not a cancelled request) and returns false.</summary>
    internal static bool RecordInternal(MlopsMetrics metrics, string name, RequestRoute route, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            metrics.RecordError(name, route, RequestErrorKind.Internal);
        }

        return false;
    }

    private static async Task<IResult> InferServedAsync(
        string name, string? version, HttpRequest request, ModelHost host, ServingSnapshot snapshot, ServedModel served, IOptions<ServeOptions> options,
        PredictionLog log, MlopsMetrics metrics, MonitorService monitor, TimeProvider time, long started, CancellationToken cancellationToken)
    {
        LoadedModel? explicitVersion = null;
        if (version is not null)
        {
            explicitVersion = int.TryParse(version, CultureInfo.InvariantCulture, out var v) ? snapshot.FindVersion(name, v) : null;
            if (explicitVersion is null)
            {
                return Fail(StatusCodes.Status404NotFound, $"version '{version}' of model '{name}' is not loaded. GET /v2/models/{name} lists the loaded versions.");
            }
        }

        var schema = explicitVersion?.Schema ?? served.Schema;
        if (schema is null)
        {
            return Fail(StatusCodes.Status503ServiceUnavailable, $"model '{name}' has no loaded version yet; GET /status says why.");
        }

        if (RequestBody.NotJsonMediaType(request) is { } mediaType)
        {
            return Fail(StatusCodes.Status415UnsupportedMediaType, mediaType);
        }

        var (body, status, error) = await RequestBody.ReadBytesAsync(request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return Fail(status, error);
        }

        V2Request? parsed;
        try
        {
            parsed = V2RequestReader.Read(body.Span);
        }
        catch (JsonException e)
        {
            return Fail(StatusCodes.Status400BadRequest, RequestBody.NotJson(e));
        }
        catch (V2BodyException e)
        {
            return Fail(StatusCodes.Status400BadRequest, e.Message);
        }

        if (parsed is not { Inputs: { Count: > 0 } inputs })
        {
            return Fail(StatusCodes.Status400BadRequest, "the body must be an object with a non-empty 'inputs' array: {\"inputs\": [{\"name\": ..., \"shape\": [N], \"datatype\": ..., \"data\": [...]}]}.");
        }

        var kind = (explicitVersion ?? served.Primary ?? served.Fallback?.Model)?.Scorer.Kind ?? PredictionKind.Binary;
        var outputs = V2Outputs.Select(kind, parsed.Outputs, name, out var outputProblem);
        if (outputProblem is not null)
        {
            return Fail(StatusCodes.Status400BadRequest, outputProblem);
        }

        var problems = new List<string>();
        var columns = ReadTensors(inputs, schema, problems, out var rowCount);
        if (problems.Count == 0 && rowCount > options.Value.MaxRows)
        {
            return Fail(StatusCodes.Status413PayloadTooLarge, $"the request has {rowCount} rows; the limit is {options.Value.MaxRows} (Mlops:MaxRows).");
        }

        string? entityKey = null;
        var batch = problems.Count == 0 ? schema.CheckColumns(columns, problems, out entityKey) : null;
        if (problems.Count > 0 || batch is null)
        {
            return Fail(StatusCodes.Status400BadRequest, string.Join(" ", problems.Take(20)) + (problems.Count > 20 ? $" ... and {problems.Count - 20} more." : ""));
        }

        // A request id is drawn only when something reads it: a canary's per-request routing or the
        // prediction log, whose prediction ids it makes (and the answer returns, for feedback).
        var id = parsed.Id ?? (log.Enabled ? Guid.NewGuid().ToString("N") : null);
        var routingKey = entityKey ?? id ?? (served.Canary is null ? "" : Guid.NewGuid().ToString("N"));
        ServedBatch answer;
        try
        {
            answer = await host.Router.ScoreAsync(served, batch, routingKey, explicitVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelUnavailableException e)
        {
            return Fail(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        catch (ArgumentException e)
        {
            return Fail(StatusCodes.Status400BadRequest, e.Message);
        }

        if (log.Writer is { } writer)
        {
            writer.TryWrite(id!, null, schema, batch, answer);
        }

        if (metrics.IsRecording)
        {
            metrics.RecordRequest(name, answer.Version, answer.Role, RequestRoute.V2, time.GetElapsedTime(started));
        }

        if (monitor.Enabled)
        {
            monitor.TryRecord(answer, batch, time.GetElapsedTime(started));
        }

        return new V2InferResult(name, id, answer, outputs) { PredictionIds = log.Enabled };

        JsonHttpResult<V2Error> Fail(int status, string message)
        {
            metrics.RecordError(name, RequestRoute.V2, ErrorKind(status));
            return Error(status, message);
        }
    }

    private static List<KeyValuePair<string, FeatureColumn>> ReadTensors(List<V2Tensor> inputs, InputSchema schema, List<string> problems, out int rowCount)
    {
        rowCount = -1;
        var columns = new List<KeyValuePair<string, FeatureColumn>>(inputs.Count);
        for (var index = 0; index < inputs.Count; index++)
        {
            if (inputs[index] is not { Name: { } name, Shape: { } shape, Datatype: { } datatype, Data: { } data })
            {
                problems.Add($"inputs[{index}]: needs 'name', 'shape', 'datatype' and 'data'.");
                continue;
            }

            if (shape.Length is < 1 or > 2 || shape[0] < 0 || (shape.Length == 2 && shape[1] != 1))
            {
                problems.Add($"{name}: shape [{string.Join(", ", shape)}] is not [N] or [N, 1]; send one feature per input tensor.");
                continue;
            }

            if (data.Count != shape[0])
            {
                problems.Add($"{name}: shape [{string.Join(", ", shape)}] says {shape[0]} values, but data has {data.Count}.");
                continue;
            }

            if (rowCount >= 0 && data.Count != rowCount)
            {
                problems.Add($"{name}: has {data.Count} rows, the other inputs {rowCount}; every input needs one value per row.");
                continue;
            }

            rowCount = data.Count;
            var type = schema.TypeOf(name);
            if (type is not null && !Accepts(type.Value, datatype))
            {
                problems.Add($"{name}: {DiagnosticIds.ValueTypeViolation.Id}: datatype {datatype} does not fit a {DeclarationSchemas.FeatureTypeNames[(int)type.Value]} feature; send {Datatype(type.Value)}.");
                continue;
            }

            columns.Add(KeyValuePair.Create(name, data.Column(type)));
        }

        rowCount = Math.Max(rowCount, 0);
        if (rowCount == 0 && problems.Count == 0)
        {
            problems.Add("the inputs hold no rows.");
        }

        return columns;
    }

    /// <summary>Whether a tensor's datatype fits a feature type.</summary>
    private static bool Accepts(FeatureType type, string datatype) => type switch
    {
        FeatureType.Float or FeatureType.Int => s_numberDatatypes.Contains(datatype, StringComparer.Ordinal),
        FeatureType.Bool => datatype == "BOOL",
        _ => datatype == "BYTES",
    };

    private static string Datatype(FeatureType type) => type switch
    {
        FeatureType.Float => "FP32",
        FeatureType.Int => "INT64",
        FeatureType.Bool => "BOOL",
        _ => "BYTES",
    };
}
