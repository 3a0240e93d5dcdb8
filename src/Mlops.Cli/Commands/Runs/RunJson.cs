using System.Globalization;
using System.Text.Json;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary>The JSON shapes of runs and comparisons (<c>--json</c>). Non-finite numbers are written as null.</summary>
internal static class RunJson
{
    public static void WriteRun(Utf8JsonWriter json, Run run, IReadOnlyDictionary<string, string>? attachments = null)
    {
        json.WriteStartObject();
        json.WriteString("id", run.Id);
        json.WriteString("model", run.Model);
        json.WriteString("status", RunComparison.Name(run.Status));
        json.WriteString("startedAt", Time(run.StartedAt));
        WriteStringOrNull(json, "endedAt", run.EndedAt is { } ended ? Time(ended) : null);
        WriteNumberOrNull(json, "durationSeconds", run.Duration?.TotalSeconds);
        WriteStringOrNull(json, "cacheKey", run.CacheKey);
        WriteStringOrNull(json, "dataDigest", run.DataDigest);
        WriteStringOrNull(json, "declarationsDigest", run.DeclarationsDigest);
        json.WriteStartObject("git");
        WriteStringOrNull(json, "commit", run.Git.Commit);
        if (run.Git.Dirty is { } dirty)
        {
            json.WriteBoolean("dirty", dirty);
        }
        else
        {
            json.WriteNull("dirty");
        }

        WriteStringOrNull(json, "branch", run.Git.Branch);
        json.WriteEndObject();
        json.WriteStartObject("toolchain");
        json.WriteString("os", run.Toolchain.Os);
        json.WriteString("dotnet", run.Toolchain.DotNet);
        WriteStringOrNull(json, "mlnet", run.Toolchain.MlNet);
        json.WriteEndObject();
        WriteNumberOrNull(json, "seed", run.Seed);
        if (run.Artifact is { } artifact)
        {
            json.WriteStartObject("artifact");
            json.WriteString("path", artifact.Path);
            WriteStringOrNull(json, "digest", artifact.Digest);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("artifact");
        }

        if (run.Error is { } error)
        {
            json.WriteStartObject("error");
            WriteStringOrNull(json, "id", error.DiagnosticId);
            WriteStringOrNull(json, "path", error.Location?.Path);
            WriteNumberOrNull(json, "line", error.Location?.Line);
            WriteNumberOrNull(json, "column", error.Location?.Column);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("error");
        }

        json.WriteStartObject("params");
        foreach (var (name, value) in run.Params)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WriteStartArray("metrics");
        foreach (var metric in run.Metrics)
        {
            json.WriteStartObject();
            json.WriteString("name", metric.Name);
            json.WriteString("split", metric.Split);
            json.WriteString("slice", metric.Slice);
            WriteNumberOrNull(json, "value", metric.Value);
            WriteNumberOrNull(json, "ciLow", metric.Interval?.Low);
            WriteNumberOrNull(json, "ciHigh", metric.Interval?.High);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (attachments is null)
        {
            json.WriteStartArray("attachments");
            foreach (var name in run.Attachments)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
        }
        else
        {
            json.WriteStartObject("attachments");
            foreach (var (name, content) in attachments)
            {
                json.WritePropertyName(name);
                json.WriteRawValue(content);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    public static void WriteComparison(Utf8JsonWriter json, RunComparison comparison)
    {
        json.WriteStartObject();
        WriteSummary(json, "a", comparison.A);
        WriteSummary(json, "b", comparison.B);
        WriteValues(json, "inputs", comparison.Inputs);
        WriteValues(json, "params", comparison.Params);
        json.WriteStartArray("metrics");
        foreach (var metric in comparison.Metrics)
        {
            json.WriteStartObject();
            json.WriteString("name", metric.Name);
            json.WriteString("split", metric.Split);
            json.WriteString("slice", metric.Slice);
            WriteNumberOrNull(json, "a", metric.A);
            WriteNumberOrNull(json, "b", metric.B);
            WriteNumberOrNull(json, "delta", metric.Delta);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, string property, Run run)
    {
        json.WriteStartObject(property);
        json.WriteString("id", run.Id);
        json.WriteString("model", run.Model);
        json.WriteString("status", RunComparison.Name(run.Status));
        json.WriteString("startedAt", Time(run.StartedAt));
        json.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter json, string property, IReadOnlyList<ValueChange> values)
    {
        json.WriteStartArray(property);
        foreach (var value in values)
        {
            json.WriteStartObject();
            json.WriteString("name", value.Name);
            WriteStringOrNull(json, "a", value.A);
            WriteStringOrNull(json, "b", value.B);
            json.WriteBoolean("changed", value.Changed);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
