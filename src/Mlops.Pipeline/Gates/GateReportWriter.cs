using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Gates;

/// <summary>Renders a gate report as JSON for machines and as Markdown for a pull request.</summary>
public static class GateReportWriter
{
    /// <summary>The report as indented JSON (camelCase).</summary>
    public static string ToJson(GateReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", report.Model);
            json.WriteString("candidate", report.Candidate);
            WriteNullable(json, "environment", report.Environment);
            if (report.ChampionVersion is { } champion)
            {
                json.WriteNumber("championVersion", champion);
            }
            else
            {
                json.WriteNull("championVersion");
            }

            json.WriteBoolean("passed", report.Passed);
            json.WriteStartArray("rules");
            foreach (var result in report.Results)
            {
                json.WriteStartObject();
                json.WriteString("metric", result.Rule.Metric);
                json.WriteString("rule", result.Description);
                json.WriteString("scope", result.Scope);
                WriteNumber(json, "candidate", result.Candidate);
                WriteNumber(json, "ciLow", result.CandidateInterval?.Low);
                WriteNumber(json, "ciHigh", result.CandidateInterval?.High);
                WriteNumber(json, "champion", result.Champion);
                WriteNumber(json, "delta", result.Delta);
                json.WriteBoolean("passed", result.Passed);
                WriteNullable(json, "reason", result.Reason);
                if (result.Paired is { } paired)
                {
                    // Only champion rules with a champion carry it, so the JSON of every other rule is unchanged.
                    json.WriteStartObject("paired");
                    WriteNullable(json, "verdict", paired.Verdict is { } verdict ? PairedMetric.Words(verdict) : null);
                    json.WriteNumber("confidence", paired.Confidence);
                    json.WriteNumber("rows", paired.Rows);
                    WriteNumber(json, "candidate", paired.Metric?.Candidate);
                    WriteNumber(json, "champion", paired.Metric?.Champion);
                    WriteNumber(json, "difference", paired.Metric?.Difference);
                    WriteNumber(json, "ciLow", paired.Interval?.Low);
                    WriteNumber(json, "ciHigh", paired.Interval?.High);
                    WriteNullable(json, "notPaired", paired.NotPaired);
                    WriteNullable(json, "summary", paired.Summary);
                    json.WriteEndObject();
                }

                if (result.Gap is { } gap)
                {
                    // Only gap rules carry it, so the JSON of every other rule is unchanged.
                    json.WriteStartObject("gap");
                    WriteGapEnd(json, "best", gap.Best);
                    WriteGapEnd(json, "worst", gap.Worst);
                    json.WriteStartArray("undefined");
                    foreach (var value in gap.Undefined)
                    {
                        json.WriteStringValue(value);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("requirementFailures");
            foreach (var failure in report.RequirementFailures)
            {
                json.WriteStringValue(failure);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The report as a Markdown section: verdict, then a table of rule, candidate, its 95% interval, champion, delta, verdict.</summary>
    public static string ToMarkdown(GateReport report)
    {
        var text = new StringBuilder();
        var target = report.Environment is null ? "" : $" for `{report.Environment}`";
        text.Append("### Gate ").Append(report.Passed ? "passed" : "FAILED").Append(": ").Append(report.Model).Append(' ').Append(report.Candidate).Append(target).Append('\n').Append('\n');
        text.Append(report.ChampionVersion is { } champion ? $"Champion: v{champion}.\n\n" : "No champion yet.\n\n");
        text.Append("| Rule | Scope | Candidate | 95% interval | Champion | Delta | Verdict |\n");
        text.Append("|---|---|---:|---:|---:|---:|---|\n");
        foreach (var result in report.Results)
        {
            var verdict = result.Passed ? "pass" : "**FAIL**";
            if (result.Reason is { } reason)
            {
                verdict += ": " + reason.Replace("|", "\\|", StringComparison.Ordinal);
            }

            text.Append("| ").Append(result.Description).Append(" | ").Append(result.Scope).Append(" | ")
                .Append(Cell(result.Candidate)).Append(" | ").Append(result.CandidateInterval?.ToString()).Append(" | ").Append(Cell(result.Champion)).Append(" | ")
                .Append(result.Delta is { } delta ? (delta >= 0 ? "+" : "") + GateEvaluator.Format(delta) : "").Append(" | ")
                .Append(verdict).Append(" |\n");
        }

        var paired = report.Results.Where(r => r.Paired is not null).ToList();
        if (paired.Count > 0)
        {
            text.Append("\nPaired with the champion on the same rows (candidate minus champion, in the metric's better direction; the interval above 0 is better, containing 0 not distinguishable, below 0 worse):\n\n");
            foreach (var result in paired)
            {
                text.Append("- ").Append(result.Description).Append(" [").Append(result.Scope).Append("]: ").Append(result.Paired!.Summary).Append('\n');
            }
        }

        foreach (var failure in report.RequirementFailures)
        {
            text.Append('\n').Append("- **Requirement not met:** ").Append(failure).Append('\n');
        }

        return text.ToString();
    }

    private static void WriteGapEnd(Utf8JsonWriter json, string name, SliceGapEnd end)
    {
        json.WriteStartObject(name);
        json.WriteString("value", end.Value);
        json.WriteNumber("metric", end.Metric);
        json.WriteEndObject();
    }

    private static string Cell(double? value) => value is { } v ? GateEvaluator.Format(v) : "";

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
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
}
