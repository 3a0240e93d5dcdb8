using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Runtime.Monitoring;

namespace Mlops.Pipeline.Stages;

/// <summary>
/// JSON metadata generated at compile time for what the stages read and write on every run (the
/// evaluation attached to a run, the reference profile in a bundle). Built by reflection instead,
/// it would be made afresh in each process, and a cached pipeline run would spend more time on it
/// than on its own work.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StoredEvaluation))]
[JsonSerializable(typeof(ReferenceProfile))]
internal sealed partial class StageJsonContext : JsonSerializerContext;
