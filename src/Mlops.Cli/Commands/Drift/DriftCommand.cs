using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Drift;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Cli.Commands.Drift;

/// <summary>
/// <c>mlops drift --reference A --current B [--feature-set SET@V | --model MODEL@vN] [--method M] [--json]</c>:
/// compares current data (a CSV file or a prediction log folder) with a reference (a CSV file or a
/// registered version's reference sample), feature by feature, with the statistics the server's
/// live windows use. Exit 0 no drift, 1 the data set drifted, 2 bad usage or input.
/// </summary>
internal static class DriftCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new DriftInputOptions();
        var all = new Option<bool>("--all-statistics") { Description = "Also compute every statistic of each feature's kind (KS, normed Wasserstein, PSI; chi-square, Jensen-Shannon), to compare with other tools; the method still decides." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON." };
        var command = new Command("drift", "Compare current data with a reference, feature by feature, and say whether the data set drifted (exit 1).");
        inputs.AddTo(command);
        command.Options.Add(all);
        command.Options.Add(json);
        command.SetAction((parse, ct) => RunAsync(context, inputs, parse, parse.GetValue(all), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, DriftInputOptions inputs, ParseResult parse, bool allStatistics, bool json, CancellationToken cancellationToken)
    {
        if (await inputs.CompareAsync(parse, context, allStatistics, cancellationToken).ConfigureAwait(false) is not { } outcome)
        {
            return ExitCodes.BadInput;
        }

        if (json)
        {
            await WriteJsonAsync(context, outcome).ConfigureAwait(false);
        }
        else
        {
            await WriteTableAsync(context, outcome).ConfigureAwait(false);
        }

        return outcome.Report.Drifted ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    private static async Task WriteTableAsync(CliContext context, DriftOutcome outcome)
    {
        var report = outcome.Report;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"drift: {outcome.Current} ({outcome.CurrentRows:N0} rows) against {outcome.Reference} ({outcome.ReferenceRows:N0} rows); features {outcome.Schema}")).ConfigureAwait(false);
        // Plain aligned columns rather than a drawn table: the output is read in CI logs and piped, where a table wraps.
        string[] header = ["feature", "kind", "method", "statistic", "p-value", "threshold", "drifted", "null ref", "null cur", "unseen"];
        var rows = report.Features.Select(feature => new[]
        {
            DiagnosticText.Escape(feature.Name),
            feature.Kind == DriftKind.Number ? "number" : "category",
            DriftMethods.Name(feature.Method),
            Number(feature.Statistic),
            Number(feature.PValue),
            Number(feature.Threshold),
            feature.Inconclusive ? "inconclusive" : feature.Drifted ? "DRIFT" : "no",
            Percent(feature.ReferenceNullRate),
            Percent(feature.CurrentNullRate),
            feature.UnseenShare is { } unseen ? Percent(unseen) : "-",
        }).ToList();
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        foreach (var (row, index) in rows.Prepend(header).Select((r, i) => (r, i)))
        {
            var line = string.Join("  ", row.Select((cell, c) => c < 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])));
            var reason = index > 0 ? report.Features[index - 1].Reason : null;
            await context.Out.WriteLineAsync(reason is null ? line.TrimEnd() : $"{line}  ({DiagnosticText.Escape(reason)})").ConfigureAwait(false);
        }

        var inconclusive = report.InconclusiveFeatures > 0 ? $", {report.InconclusiveFeatures} inconclusive" : "";
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{(report.Drifted ? "data set drifted" : "no data set drift")}: {report.DriftedFeatures} of {report.Features.Count} features drifted ({report.DriftedShare:0.###} {(report.Drifted ? ">=" : "<")} driftShare {report.DriftShare:0.###}){inconclusive}; read {outcome.ReadTime.TotalSeconds:0.00} s, computed {outcome.ComputeTime.TotalSeconds:0.00} s")).ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(CliContext context, DriftOutcome outcome) => JsonOutput.WriteAsync(context.Out, writer =>
    {
        var report = outcome.Report;
        writer.WriteStartObject();
        writer.WriteString("reference", outcome.Reference);
        writer.WriteString("current", outcome.Current);
        writer.WriteString("schema", outcome.Schema);
        writer.WriteNumber("referenceRows", outcome.ReferenceRows);
        writer.WriteNumber("currentRows", outcome.CurrentRows);
        writer.WriteStartArray("features");
        foreach (var feature in report.Features)
        {
            writer.WriteStartObject();
            writer.WriteString("name", feature.Name);
            writer.WriteString("kind", feature.Kind == DriftKind.Number ? "number" : "category");
            writer.WriteString("method", DriftMethods.Name(feature.Method));
            Nullable(writer, "statistic", feature.Statistic);
            Nullable(writer, "pValue", feature.PValue);
            writer.WriteNumber("threshold", feature.Threshold);
            writer.WriteBoolean("drifted", feature.Drifted);
            writer.WriteBoolean("inconclusive", feature.Inconclusive);
            writer.WriteNumber("referenceNullRate", feature.ReferenceNullRate);
            writer.WriteNumber("currentNullRate", feature.CurrentNullRate);
            writer.WriteNumber("referenceValues", feature.ReferenceValues);
            writer.WriteNumber("currentValues", feature.CurrentValues);
            Nullable(writer, "unseenShare", feature.UnseenShare);
            writer.WriteString("reason", feature.Reason);
            if (feature.Statistics is { } statistics)
            {
                writer.WriteStartObject("statistics");
                foreach (var (name, value) in statistics)
                {
                    writer.WriteNumber(name, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("driftedFeatures", report.DriftedFeatures);
        writer.WriteNumber("inconclusiveFeatures", report.InconclusiveFeatures);
        writer.WriteNumber("driftedShare", report.DriftedShare);
        writer.WriteNumber("driftShare", report.DriftShare);
        writer.WriteBoolean("drifted", report.Drifted);
        writer.WriteNumber("readSeconds", outcome.ReadTime.TotalSeconds);
        writer.WriteNumber("computeSeconds", outcome.ComputeTime.TotalSeconds);
        writer.WriteEndObject();
    });

    private static void Nullable(System.Text.Json.Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string Number(double? value) => value switch
    {
        null => "",
        { } v when v != 0 && Math.Abs(v) < 1e-4 => v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.####", CultureInfo.InvariantCulture),
    };

    private static string Percent(double value) => value.ToString("0.#%", CultureInfo.InvariantCulture);
}
