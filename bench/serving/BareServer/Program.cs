// The bare baseline of bench/serving/run.sh: one minimal-API endpoint, the same v2 body, the same
// ML.NET model called in-process. It does what a hand-written endpoint would: parse the body, copy the
// 19 values into a typed row, predict with a pooled PredictionEngine, write a minimal v2 answer. No
// input checks, no routing of canaries, no snapshot: the difference to Mlops.Server is what those cost.
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Runtime.Bundles;

var builder = WebApplication.CreateSlimBuilder(args);

// Logging as Mlops.Server configures it (MlopsServer.Configure): request logs filtered to warnings,
// so neither server pays for per-request log lines.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Loopback only unless told otherwise: this is a benchmark, not a service.
    builder.WebHost.UseUrls("http://127.0.0.1:18081");
}

var bundlePath = builder.Configuration["Bundle"]
    ?? throw new InvalidOperationException("Pass --Bundle=PATH: a bundle file of the store (.mlops/store/sha256/xx/...).");

// The same bundle Mlops.Server serves: read (and digest-checked) with the runtime's reader, then
// loaded with plain ML.NET.
var bundle = Bundle.Read(File.ReadAllBytes(bundlePath));
var context = new MLContext(seed: 0);
ITransformer model;
using (var stream = new MemoryStream(bundle.ModelBytes))
{
    model = context.Model.Load(stream, out _);
}

// PredictionEngine is not thread-safe: pool them (what Microsoft.Extensions.ML's PredictionEnginePool
// does), as many as Mlops.Server's scorer keeps (twice the processor count).
var engines = new DefaultObjectPool<PredictionEngine<ChurnRow, ChurnOutput>>(
    new EnginePolicy(context, model), Environment.ProcessorCount * 2);

var app = builder.Build();

app.MapPost("/v2/models/churn/infer", async (HttpRequest request, CancellationToken cancellationToken) =>
{
    // The body is parsed into a pooled JsonDocument and walked: the cheapest way System.Text.Json offers
    // short of a hand-written Utf8JsonReader loop. (Binding it to records holding JsonElement values,
    // which clone one document per value, cost several microseconds more per request.)
    using var document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
    var row = new ChurnRow();
    foreach (var input in document.RootElement.GetProperty("inputs"u8).EnumerateArray())
    {
        var data = input.GetProperty("data"u8);
        if (data.GetArrayLength() != 1)
        {
            return Results.BadRequest(new { error = "one row only" });
        }

        row.Set(input.GetProperty("name"u8).GetString()!, data[0]);
    }

    var engine = engines.Get();
    ChurnOutput output;
    try
    {
        output = engine.Predict(row);
    }
    finally
    {
        engines.Return(engine);
    }

    long[] shape = [1];
    return Results.Ok(new InferResponse("churn", "1",
    [
        new Output("predicted", shape, "BOOL", new[] { output.PredictedLabel }),
        new Output("probability", shape, "FP32", new[] { output.Probability }),
        new Output("score", shape, "FP32", new[] { output.Score }),
    ]));
});

app.Run();

/// <summary>Creates one prediction engine per pooled slot.</summary>
internal sealed class EnginePolicy(MLContext context, ITransformer model) : PooledObjectPolicy<PredictionEngine<ChurnRow, ChurnOutput>>
{
    public override PredictionEngine<ChurnRow, ChurnOutput> Create() =>
        context.Model.CreatePredictionEngine<ChurnRow, ChurnOutput>(model, ignoreMissingColumns: true);

    public override bool Return(PredictionEngine<ChurnRow, ChurnOutput> obj) => true;
}

/// <summary>The minimal v2 answer.</summary>
internal sealed record InferResponse(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    IReadOnlyList<Output> Outputs);

/// <summary>One output tensor.</summary>
internal sealed record Output(string Name, IReadOnlyList<long> Shape, string Datatype, object Data);

/// <summary>The model's input row, written by hand: bool features are floats (1 or 0), categories strings.</summary>
internal sealed class ChurnRow
{
    [ColumnName("female")] public float Female;
    [ColumnName("senior_citizen")] public float SeniorCitizen;
    [ColumnName("partner")] public float Partner;
    [ColumnName("dependents")] public float Dependents;
    [ColumnName("tenure")] public float Tenure;
    [ColumnName("phone_service")] public float PhoneService;
    [ColumnName("multiple_lines")] public string? MultipleLines;
    [ColumnName("internet_service")] public string? InternetService;
    [ColumnName("online_security")] public string? OnlineSecurity;
    [ColumnName("online_backup")] public string? OnlineBackup;
    [ColumnName("device_protection")] public string? DeviceProtection;
    [ColumnName("tech_support")] public string? TechSupport;
    [ColumnName("streaming_tv")] public string? StreamingTv;
    [ColumnName("streaming_movies")] public string? StreamingMovies;
    [ColumnName("contract")] public string? Contract;
    [ColumnName("paperless_billing")] public float PaperlessBilling;
    [ColumnName("payment_method")] public string? PaymentMethod;
    [ColumnName("monthly_charges")] public float MonthlyCharges;
    [ColumnName("total_charges")] public float TotalCharges = float.NaN;

    public void Set(string name, JsonElement value)
    {
        switch (name)
        {
            case "female": Female = Number(value); break;
            case "senior_citizen": SeniorCitizen = Number(value); break;
            case "partner": Partner = Number(value); break;
            case "dependents": Dependents = Number(value); break;
            case "tenure": Tenure = Number(value); break;
            case "phone_service": PhoneService = Number(value); break;
            case "multiple_lines": MultipleLines = value.GetString(); break;
            case "internet_service": InternetService = value.GetString(); break;
            case "online_security": OnlineSecurity = value.GetString(); break;
            case "online_backup": OnlineBackup = value.GetString(); break;
            case "device_protection": DeviceProtection = value.GetString(); break;
            case "tech_support": TechSupport = value.GetString(); break;
            case "streaming_tv": StreamingTv = value.GetString(); break;
            case "streaming_movies": StreamingMovies = value.GetString(); break;
            case "contract": Contract = value.GetString(); break;
            case "paperless_billing": PaperlessBilling = Number(value); break;
            case "payment_method": PaymentMethod = value.GetString(); break;
            case "monthly_charges": MonthlyCharges = Number(value); break;
            case "total_charges": TotalCharges = Number(value); break;
            default: break;
        }
    }

    private static float Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => 1f,
        JsonValueKind.False => 0f,
        JsonValueKind.Number => value.GetSingle(),
        _ => float.NaN,
    };
}

/// <summary>What the calibrated binary model gives.</summary>
internal sealed class ChurnOutput
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}
