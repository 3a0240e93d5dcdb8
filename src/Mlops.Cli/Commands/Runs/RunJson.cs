using System.Globalization;
using System.Text.Json;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary>The JSON shapes of runs and comparisons (<c>--json</c>). Non-finite numbers are written as null.</summary>
internal static class RunJson
{
    /// <summary><c>"crossValidation": { "folds": K, "metrics": { "auc": { "mean", "sd", "ciLow", "ciHigh", "folds": [...] } } }</c>, or null.</summary>
    private static void WriteCrossValidation(Utf8JsonWriter json, RunCrossValidation? cv)
    {
        if (cv is null)
        {
            json.WriteNull("crossValidation");
            return;
        }

        json.WriteStartObject("crossValidation");
        json.WriteNumber("folds", cv.Folds);
        json.WriteStartObject("metrics");
        foreach (var metric in cv.Metrics)
        {
            json.WriteStartObject(metric.Name);
            WriteNumberOrNull(json, "mean", metric.Mean);
            WriteNumberOrNull(json, "sd", metric.StandardDeviation);
            WriteNumberOrNull(json, "ciLow", metric.Interval?.Low);
            WriteNumberOrNull(json, "ciHigh", metric.Interval?.High);
            json.WriteStartArray("folds");
            foreach (var value in metric.Folds)
            {
                if (value is { } v && double.IsFinite(v))
                {
                    json.WriteNumberValue(v);
                }
                else
                {
                    json.WriteNullValue();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static void WriteRun(Utf8JsonWriter json, Run run, IReadOnlyDictionary<string, string>? attachments = null, Leaderboard? leaderboard = null)
    {
        json.WriteStartObject();
        WriteSummaryFields(json, run);
        WriteStringOrNull(json, "parentId", run.ParentId);
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
        WriteCrossValidation(json, RunCrossValidation.Of(run));
        json.WriteStartArray("metrics");
        foreach (var metric in run.Metrics)
        {
            json.WriteStartObject();
            WriteMetricKey(json, metric.Name, metric.Split, metric.Slice);
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

        if (leaderboard is not null)
        {
            WriteLeaderboard(json, leaderboard);
        }

        json.WriteEndObject();
    }

    /// <summary>The trials of a <c>trainer: auto</c> run, best first.</summary>
    private static void WriteLeaderboard(Utf8JsonWriter json, Leaderboard leaderboard)
    {
        json.WriteStartObject("leaderboard");
        json.WriteString("metric", leaderboard.Metric);
        json.WriteBoolean("greaterIsBetter", leaderboard.GreaterIsBetter);
        json.WriteNumber("folds", leaderboard.Folds);
        json.WriteStartArray("trials");
        foreach (var entry in leaderboard.Entries)
        {
            json.WriteStartObject();
            json.WriteNumber("rank", entry.Rank);
            json.WriteNumber("trial", entry.Trial);
            json.WriteString("runId", entry.RunId);
            json.WriteString("status", RunComparison.Name(entry.Status));
            json.WriteString("trainer", entry.Trainer);
            json.WriteStartObject("params");
            foreach (var (name, value) in entry.Params)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            WriteNumberOrNull(json, "mean", entry.Mean);
            WriteNumberOrNull(json, "standardDeviation", entry.StandardDeviation);
            WriteNumberOrNull(json, "ciLow", entry.Interval?.Low);
            WriteNumberOrNull(json, "ciHigh", entry.Interval?.High);
            json.WriteBoolean("chosen", entry.Chosen);
            WriteStringOrNull(json, "error", entry.Error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
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
            WriteMetricKey(json, metric.Name, metric.Split, metric.Slice);
            WriteNumberOrNull(json, "a", metric.A);
            WriteNumberOrNull(json, "b", metric.B);
            WriteNumberOrNull(json, "delta", metric.Delta);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>
    /// Many runs as one document: <c>params</c> (the parameter columns), <c>metrics</c> (the metric columns with their
    /// name, split, slice and direction) and <c>runs</c>, each with its row values and <c>params</c> and <c>metrics</c>
    /// objects keyed by column; a run lacking one has no property for it.
    /// </summary>
    public static void WriteTable(Utf8JsonWriter json, RunTable table)
    {
        json.WriteStartObject();
        json.WriteStartArray("params");
        foreach (var name in table.Params)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteStartArray("metrics");
        foreach (var metric in table.Metrics)
        {
            json.WriteStartObject();
            json.WriteString("column", metric.Column);
            WriteMetricKey(json, metric.Name, metric.Split, metric.Slice);
            json.WriteBoolean("greaterIsBetter", metric.GreaterIsBetter);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("runs");
        foreach (var run in table.Runs)
        {
            json.WriteStartObject();
            WriteSummaryFields(json, run);
            WriteStringOrNull(json, "dataDigest", run.DataDigest);
            WriteStringOrNull(json, "trainer", RunTable.Trainer(run));
            json.WriteStartObject("params");
            foreach (var name in table.Params)
            {
                if (run.Params.GetValueOrDefault(name) is { } value)
                {
                    json.WriteString(name, value);
                }
            }

            json.WriteEndObject();
            json.WriteStartObject("metrics");
            foreach (var metric in table.Metrics)
            {
                if (RunTable.Value(run, metric) is { } value)
                {
                    WriteNumberOrNull(json, metric.Column, value);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter json, string property, Run run)
    {
        json.WriteStartObject(property);
        WriteSummaryFields(json, run);
        json.WriteEndObject();
    }

    private static void WriteSummaryFields(Utf8JsonWriter json, Run run)
    {
        json.WriteString("id", run.Id);
        json.WriteString("model", run.Model);
        json.WriteString("status", RunComparison.Name(run.Status));
        json.WriteString("startedAt", Time(run.StartedAt));
    }

    private static void WriteMetricKey(Utf8JsonWriter json, string name, string split, string slice)
    {
        json.WriteString("name", name);
        json.WriteString("split", split);
        json.WriteString("slice", slice);
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

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

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
