using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Mlops.Declarations.FeatureSets;
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
        var outputs = Outputs(model.Scorer.Kind).Select(o => new V2TensorMetadata(o.Name, o.Datatype, [-1])).ToList();
        var versions = served.Loaded().Where(l => l.Model == name).Select(l => l.Version.ToString(CultureInfo.InvariantCulture)).Distinct().ToList();
        return TypedResults.Ok(new V2ModelMetadata(name, versions, model.Manifest.ModelFormat == Scorers.Onnx ? "onnxruntime_onnx" : "mlnet", inputs, outputs, new Dictionary<string, string?>
        {
            ["model_version"] = model.Version.ToString(CultureInfo.InvariantCulture),
            ["bundle_digest"] = model.Digest,
            ["environment_commit"] = served.Commit,
            ["feature_set"] = $"{model.Manifest.FeatureSet.Name}@{model.Manifest.FeatureSet.Version}",
            ["scoring_path"] = model.Scorer is ModelScorer scorer ? scorer.ScoringPath : "onnx runtime",
        }));
    }

    private static async Task<Results<Ok<V2InferResponse>, JsonHttpResult<V2Error>>> InferAsync(
        string name, string? version, HttpRequest request, ModelHost host, IOptions<ServeOptions> options, PredictionLog log, CancellationToken cancellationToken)
    {
        var snapshot = host.Snapshot;
        if (!snapshot.Models.TryGetValue(name, out var served))
        {
            return Error(StatusCodes.Status404NotFound, NotServed(host, name));
        }

        LoadedModel? explicitVersion = null;
        if (version is not null)
        {
            explicitVersion = int.TryParse(version, CultureInfo.InvariantCulture, out var v) ? snapshot.FindVersion(name, v) : null;
            if (explicitVersion is null)
            {
                return Error(StatusCodes.Status404NotFound, $"version '{version}' of model '{name}' is not loaded. GET /v2/models/{name} lists the loaded versions.");
            }
        }

        var schema = explicitVersion?.Schema ?? served.Schema;
        if (schema is null)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"model '{name}' has no loaded version yet; GET /status says why.");
        }

        var (document, status, error) = await RequestBody.ReadAsync(request, options.Value.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return Error(status, error!);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs"u8, out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
            {
                return Error(StatusCodes.Status400BadRequest, "the body must be an object with a non-empty 'inputs' array: {\"inputs\": [{\"name\": ..., \"shape\": [N], \"datatype\": ..., \"data\": [...]}]}.");
            }

            var id = root.TryGetProperty("id"u8, out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
            var problems = new List<string>();
            var columns = ReadTensors(inputs, schema, problems, out var rowCount);
            if (problems.Count == 0 && rowCount > options.Value.MaxRows)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, $"the request has {rowCount} rows; the limit is {options.Value.MaxRows} (Mlops:MaxRows).");
            }

            string? entityKey = null;
            var batch = problems.Count == 0 ? schema.CheckColumns(columns, problems, out entityKey) : null;
            if (problems.Count > 0 || batch is null)
            {
                return Error(StatusCodes.Status400BadRequest, string.Join(" ", problems.Take(20)) + (problems.Count > 20 ? $" ... and {problems.Count - 20} more." : ""));
            }

            // A request id is drawn only when something reads it: a canary's per-request routing or the prediction log.
            var routingKey = entityKey ?? id ?? (served.Canary is null && !log.Enabled ? "" : Guid.NewGuid().ToString("N"));
            ServedBatch answer;
            try
            {
                answer = rowCount == 1
                    ? await ScoreOneAsync(served, explicitVersion, batch, routingKey, host, log, cancellationToken).ConfigureAwait(false)
                    : ScoreMany(served, explicitVersion, batch, routingKey, host, log);
            }
            catch (ModelUnavailableException e)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
            }
            catch (ArgumentException e)
            {
                return Error(StatusCodes.Status400BadRequest, e.Message);
            }

            var kind = (explicitVersion ?? served.Primary ?? served.Fallback?.Model)?.Scorer.Kind ?? PredictionKind.Binary;
            var modelVersion = answer.Version.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Ok(new V2InferResponse(
                name,
                modelVersion,
                id,
                new Dictionary<string, string?>
                {
                    ["model_version"] = modelVersion,
                    ["bundle_digest"] = answer.Digest,
                    ["environment_commit"] = answer.Commit,
                    ["served_by"] = RoleName(answer.Role),
                    ["fallback_reason"] = answer.Reason,
                },
                BuildOutputs(kind, answer.Predictions)));
        }
    }

    /// <summary>A single row may wait for a dynamic batch, and is routed and logged as one request.</summary>
    private static async ValueTask<ServedBatch> ScoreOneAsync(ServedModel served, LoadedModel? explicitVersion, FeatureBatch batch, string routingKey, ModelHost host, PredictionLog log, CancellationToken cancellationToken)
    {
        var row = batch.Row(0);
        var answer = explicitVersion is not null
            ? await TrafficRouter.ScoreVersionAsync(explicitVersion, row, served.Commit, cancellationToken).ConfigureAwait(false)
            : await host.Router.ScoreAsync(served, row, routingKey, cancellationToken).ConfigureAwait(false);
        log.Write(routingKey, answer, row);
        return new ServedBatch(BatchPredictions.From([answer.Prediction]), answer.Model, answer.Version, answer.Digest, answer.Commit, answer.Role, answer.Reason);
    }

    /// <summary>The rows of one request are a batch already: one routing decision, one call by column.</summary>
    private static ServedBatch ScoreMany(ServedModel served, LoadedModel? explicitVersion, FeatureBatch batch, string routingKey, ModelHost host, PredictionLog log)
    {
        var answer = explicitVersion is not null
            ? TrafficRouter.ScoreVersionBatch(explicitVersion, batch, served.Commit)
            : host.Router.ScoreBatch(served, batch, routingKey);
        for (var i = 0; log.Enabled && i < batch.RowCount; i++)
        {
            log.Write($"{routingKey}/{i}", answer.Row(i), batch.Row(i));
        }

        return answer;
    }

    private static List<KeyValuePair<string, FeatureColumn>> ReadTensors(JsonElement inputs, InputSchema schema, List<string> problems, out int rowCount)
    {
        rowCount = -1;
        var columns = new List<KeyValuePair<string, FeatureColumn>>();
        var index = -1;

        // This runs for every input of every request: UTF-8 property names and no LINQ or message
        // strings on the good path (docs/benchmarks.md, serving).
        foreach (var input in inputs.EnumerateArray())
        {
            index++;
            if (input.ValueKind != JsonValueKind.Object
                || !input.TryGetProperty("name"u8, out var nameElement) || nameElement.ValueKind != JsonValueKind.String
                || !input.TryGetProperty("shape"u8, out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
                || !input.TryGetProperty("datatype"u8, out var typeElement) || typeElement.ValueKind != JsonValueKind.String
                || !input.TryGetProperty("data"u8, out var dataElement) || dataElement.ValueKind != JsonValueKind.Array)
            {
                problems.Add($"inputs[{index}]: needs 'name', 'shape', 'datatype' and 'data'.");
                continue;
            }

            var name = nameElement.GetString()!;
            var shape = new long[shapeElement.GetArrayLength()];
            var shapeIndex = 0;
            var badShape = shape.Length is < 1 or > 2;
            foreach (var dimension in shapeElement.EnumerateArray())
            {
                shape[shapeIndex] = dimension.TryGetInt64(out var n) ? n : -1;
                badShape |= shape[shapeIndex++] < 0;
            }

            var data = Values(dataElement);
            if (badShape || (shape.Length == 2 && shape[1] != 1))
            {
                problems.Add($"{name}: shape [{string.Join(", ", shape)}] is not [N] or [N, 1]; send one feature per input tensor.");
                continue;
            }

            if (data.Length != shape[0])
            {
                problems.Add($"{name}: shape [{string.Join(", ", shape)}] says {shape[0]} values, but data has {data.Length}.");
                continue;
            }

            if (rowCount >= 0 && data.Length != rowCount)
            {
                problems.Add($"{name}: has {data.Length} rows, the other inputs {rowCount}; every input needs one value per row.");
                continue;
            }

            rowCount = data.Length;
            var type = schema.TypeOf(name);
            if (type is not null && !Accepts(type.Value, typeElement))
            {
                problems.Add($"{name}: datatype {typeElement.GetString()} does not fit a {type.Value.ToString().ToLowerInvariant()} feature; send {Datatype(type.Value.ToString())}.");
                continue;
            }

            columns.Add(KeyValuePair.Create(name, TensorValues.Column(data, type)));
        }

        rowCount = Math.Max(rowCount, 0);
        if (rowCount == 0 && problems.Count == 0)
        {
            problems.Add("the inputs hold no rows.");
        }

        return columns;
    }

    /// <summary>A tensor's values in row order: the array itself when it is flat (the usual case), else flattened.</summary>
    private static JsonElement[] Values(JsonElement data)
    {
        var values = new JsonElement[data.GetArrayLength()];
        var i = 0;
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                var nested = new List<JsonElement>();
                Flatten(data, nested);
                return [.. nested];
            }

            values[i++] = item;
        }

        return values;
    }

    private static void Flatten(JsonElement element, List<JsonElement> into)
    {
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, into);
            }
            else
            {
                into.Add(item);
            }
        }
    }

    /// <summary>Whether a tensor's datatype (compared as UTF-8, without making a string) fits a feature type.</summary>
    private static bool Accepts(FeatureType type, JsonElement datatype) => type switch
    {
        FeatureType.Float or FeatureType.Int => IsNumberDatatype(datatype),
        FeatureType.Bool => datatype.ValueEquals("BOOL"u8),
        _ => datatype.ValueEquals("BYTES"u8),
    };

    private static string RoleName(ServedRole role) => role switch
    {
        ServedRole.Primary => "primary",
        ServedRole.Canary => "canary",
        ServedRole.Fallback => "fallback",
        ServedRole.Explicit => "explicit",
        _ => role.ToString().ToLowerInvariant(),
    };

    private static bool IsNumberDatatype(JsonElement datatype)
    {
        foreach (var name in s_numberDatatypes)
        {
            if (datatype.ValueEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    private static string Datatype(string featureType) => featureType.ToLowerInvariant() switch
    {
        "float" => "FP32",
        "int" => "INT64",
        "bool" => "BOOL",
        _ => "BYTES",
    };

    private static IEnumerable<(string Name, string Datatype)> Outputs(PredictionKind kind) => kind switch
    {
        PredictionKind.Binary => [("predicted", "BOOL"), ("probability", "FP32"), ("score", "FP32")],
        PredictionKind.Multiclass => [("predicted", "BYTES"), ("score", "FP32")],
        _ => [("predicted", "FP32")],
    };

    private static List<V2Output> BuildOutputs(PredictionKind kind, BatchPredictions answers)
    {
        long[] shape = [answers.Count];
        return kind switch
        {
            PredictionKind.Binary =>
            [
                new V2Output("predicted", shape, "BOOL", answers.IsPositive ?? [.. answers.Scores.Select(s => s > 0)]),
                new V2Output("probability", shape, "FP32", answers.Probabilities is { } probabilities ? probabilities : new float?[answers.Count]),
                new V2Output("score", shape, "FP32", answers.Scores),
            ],
            PredictionKind.Multiclass =>
            [
                new V2Output("predicted", shape, "BYTES", answers.PredictedLabels ?? new string?[answers.Count]),
                new V2Output("score", shape, "FP32", answers.Scores),
            ],
            _ => [new V2Output("predicted", shape, "FP32", answers.Scores)],
        };
    }
}
