using System.Text.Json.Serialization;

namespace Mlops.Server.Endpoints;

/// <summary>The Open Inference Protocol's error body.</summary>
internal sealed record V2Error(string Error);

/// <summary>Server metadata: <c>GET /v2</c>.</summary>
internal sealed record V2ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>Liveness and readiness bodies.</summary>
internal sealed record V2Live(bool Live);

/// <summary>Server readiness.</summary>
internal sealed record V2Ready(bool Ready);

/// <summary>Model readiness.</summary>
internal sealed record V2ModelReady(string Name, bool Ready);

/// <summary>A tensor's metadata.</summary>
internal sealed record V2TensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape);

/// <summary>Model metadata: <c>GET /v2/models/{name}</c>; parameters carry the served version, bundle digest, environment commit and (multiclass) the classes.</summary>
internal sealed record V2ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<V2TensorMetadata> Inputs,
    IReadOnlyList<V2TensorMetadata> Outputs,
    IReadOnlyDictionary<string, object?> Parameters);
