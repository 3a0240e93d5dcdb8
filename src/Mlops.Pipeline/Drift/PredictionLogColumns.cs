using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Pipeline.Drift;

/// <summary>
/// Reads the feature values of a prediction log folder (the server's <c>predictions-*.jsonl</c> files,
/// docs/monitoring.md) into drift summaries: every <c>prediction</c> line, in file-name order, its
/// <c>features</c> read with the value rules' JSON reader (<see cref="FeatureInput.ReadJson"/>). A
/// feature absent from a line (a sensitive feature the log drops) or null is missing; a hashed
/// sensitive value is a category like any text. Feedback lines are skipped.
/// </summary>
public static class PredictionLogColumns
{
    /// <summary>The log files' name pattern.</summary>
    public const string FilePattern = "predictions-*.jsonl";

    /// <summary>Reads a folder's prediction lines.</summary>
    /// <param name="folder">The log folder.</param>
    /// <param name="displayPath">Its name in messages.</param>
    /// <param name="inputs">The features to read (<see cref="DriftInputs.For"/>).</param>
    /// <param name="model">Only lines of this model, or null for every line.</param>
    /// <param name="version">Only lines of this version, or null for every version.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>One summary per feature, and how many prediction lines were read.</returns>
    /// <exception cref="DriftInputException">The folder has no log files, a line is not a JSON object, or a value does not fit its feature's type.</exception>
    public static async Task<(IReadOnlyList<ColumnValues> Columns, long Rows)> ReadAsync(string folder, string displayPath, IReadOnlyList<FeatureInput> inputs, string? model, int? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var files = Directory.GetFiles(folder, FilePattern).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new DriftInputException($"the folder '{displayPath}' holds no prediction log ({FilePattern}). Pass the server's Mlops:PredictionLog:Folder, or a CSV file.");
        }

        var builders = inputs.Select(i => new DriftColumnBuilder(i)).ToArray();
        long rows = 0;
        foreach (var file in files)
        {
            var shown = Path.Combine(displayPath, Path.GetFileName(file));
            var line = 0;
            var lines = await File.ReadAllLinesAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var text in lines)
            {
                line++;
                if (text.Length == 0)
                {
                    continue;
                }

                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(text);
                }
                catch (JsonException e)
                {
                    // A line cut short by a crash or a full disk is the last of its file: skip it, as a reader of a live log must.
                    if (line == lines.Length)
                    {
                        continue;
                    }

                    throw new DriftInputException(string.Create(CultureInfo.InvariantCulture,
                        $"{shown}({line},{(e.BytePositionInLine ?? 0) + 1}): error {DiagnosticIds.ValueTypeViolation.Id}: the line is not a JSON object ({e.Message}). Each line of a prediction log is one JSON object."));
                }

                using (document)
                {
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "prediction")
                    {
                        continue;
                    }

                    if ((model is not null && (!root.TryGetProperty("model", out var m) || m.ValueKind != JsonValueKind.String || m.GetString() != model))
                        || (version is { } v && (!root.TryGetProperty("version", out var n) || !n.TryGetInt32(out var logged) || logged != v)))
                    {
                        continue;
                    }

                    rows++;
                    var hasFeatures = root.TryGetProperty("features", out var features) && features.ValueKind == JsonValueKind.Object;
                    foreach (var builder in builders)
                    {
                        if (!hasFeatures || !features.TryGetProperty(builder.Input.Name, out var json))
                        {
                            builder.Add(FeatureValue.Missing);
                            continue;
                        }

                        if (builder.Input.ReadJson(json, out var value) is { } problem)
                        {
                            throw new DriftInputException($"{shown}({line},1): error {problem.Id}: {builder.Input.Name}: {problem.Message}");
                        }

                        builder.Add(value);
                    }
                }
            }
        }

        return ([.. builders.Select(b => b.Build())], rows);
    }
}
