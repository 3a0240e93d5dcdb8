using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;

namespace Mlops.Pipeline.Registry;

/// <summary>
/// The registry's git format: a version is the annotated tag <c>MODEL@vN</c>; its message is a subject line, a
/// blank line, and a block of <c>key: value</c> lines (valid YAML) that <see cref="ParseMessage"/> reads back:
/// <code>
/// churn v8: bundle sha256:0123456789ab
///
/// model: churn
/// version: 8
/// bundle: sha256:0123…
/// featureSet: customer@3
/// featureSetDigest: sha256:4567…
/// run: 20261123-085238-1a2b
/// metrics:
///   auc: 0.8291
///   "recall[contract=One year]": 0.61
/// intervals:
///   auc: [0.8102, 0.8477]
/// </code>
/// <c>intervals</c> holds each metric's 95% interval (<see cref="Evaluation.MetricInterval"/>) where it has one; a
/// separate block, so that an older mlops, which ignores unknown keys, still reads the metrics.
/// Values and metric names outside <c>[A-Za-z0-9_./@:+=-]</c> are written as JSON strings. Unknown keys are
/// ignored when reading, so later versions may add some.
/// </summary>
public static partial class ModelTag
{
    /// <summary>The tag's name: <c>churn@v8</c>.</summary>
    public static string Name(string model, int version) => $"{model}@v{version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads a tag name of the form <c>MODEL@vN</c>.</summary>
    /// <param name="name">A tag name, with or without <c>refs/tags/</c>.</param>
    /// <param name="model">The model's name, when the name has the form.</param>
    /// <param name="version">The version, when the name has the form.</param>
    public static bool TryParseName(string name, out string model, out int version)
    {
        const string prefix = "refs/tags/";
        var match = TagName().Match(name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name);
        model = match.Success ? match.Groups[1].Value : "";
        version = match.Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0; // at most 9 digits
        return match.Success;
    }

    /// <summary>Writes a tag message for a registration as version <paramref name="version"/>.</summary>
    internal static string FormatMessage(ModelRegistration registration, int version)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{registration.Model} v{version}: bundle {Sha256Digest.Short(registration.BundleDigest)}\n\n")
            .Append(CultureInfo.InvariantCulture, $"model: {registration.Model}\n")
            .Append(CultureInfo.InvariantCulture, $"version: {version}\n")
            .Append(CultureInfo.InvariantCulture, $"bundle: {registration.BundleDigest}\n");
        if (registration.FeatureSet is { } featureSet)
        {
            text.Append(CultureInfo.InvariantCulture, $"featureSet: {featureSet}\n");
        }

        if (registration.FeatureSetDigest is { } featureSetDigest)
        {
            text.Append(CultureInfo.InvariantCulture, $"featureSetDigest: {featureSetDigest}\n");
        }

        if (registration.RunId is { } run)
        {
            text.Append(CultureInfo.InvariantCulture, $"run: {Quote(run)}\n");
        }

        if (registration.Metrics.Count > 0)
        {
            text.Append("metrics:\n");
            foreach (var metric in registration.Metrics)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {Quote(metric.Name)}: {metric.Value.ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }

        if (registration.Metrics.Any(m => m.Interval is not null))
        {
            text.Append("intervals:\n");
            foreach (var metric in registration.Metrics.Where(m => m.Interval is not null))
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  {Quote(metric.Name)}: [{metric.Interval!.Low.ToString("R", CultureInfo.InvariantCulture)}, {metric.Interval.High.ToString("R", CultureInfo.InvariantCulture)}]\n");
            }
        }

        return text.ToString();
    }

    /// <summary>An interval written <c>[low, high]</c>, or null when the text is not one.</summary>
    private static Evaluation.MetricInterval? ParseInterval(string value)
    {
        if (value.Length < 2 || value[0] != '[' || value[^1] != ']' || value[1..^1].Split(',') is not [var low, var high])
        {
            return null;
        }

        return double.TryParse(low, NumberStyles.Float, CultureInfo.InvariantCulture, out var l) && double.TryParse(high, NumberStyles.Float, CultureInfo.InvariantCulture, out var h)
            ? new Evaluation.MetricInterval(l, h)
            : null;
    }

    /// <summary>The fields of a tag message; null when it lacks the model, version or bundle, or they are malformed.</summary>
    internal static TagMessage? ParseMessage(string message)
    {
        var lines = message.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blank = Array.FindIndex(lines, l => l.Trim().Length == 0);
        if (blank < 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var metrics = new List<ModelMetric>();
        var intervals = new Dictionary<string, Evaluation.MetricInterval>(StringComparer.Ordinal);
        var inMetrics = false;
        var inIntervals = false;
        foreach (var line in lines.Skip(blank + 1))
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var nested = line.StartsWith(' ');
            if (!nested)
            {
                inMetrics = false;
                inIntervals = false;
            }

            if (SplitEntry(line.Trim()) is not var (key, value))
            {
                continue;
            }

            if (nested && inMetrics)
            {
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    metrics.Add(new ModelMetric(key, number));
                }
            }
            else if (nested && inIntervals)
            {
                if (ParseInterval(value) is { } interval)
                {
                    intervals[key] = interval;
                }
            }
            else if (!nested)
            {
                inMetrics = key == "metrics" && value.Length == 0;
                inIntervals = key == "intervals" && value.Length == 0;
                fields.TryAdd(key, value);
            }
        }

        if (!fields.TryGetValue("model", out var model) || !Regex.IsMatch(model, $"^{DeclarationSchemas.NamePattern}$")
            || !fields.TryGetValue("version", out var versionText) || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || !fields.TryGetValue("bundle", out var bundle) || !Sha256Digest.IsValid(bundle))
        {
            return null;
        }

        FeatureSetReference? featureSet = null;
        if (fields.TryGetValue("featureSet", out var featureSetText))
        {
            FeatureSetReference.TryParse(featureSetText, out featureSet);
        }

        var featureSetDigest = fields.TryGetValue("featureSetDigest", out var fsd) && Sha256Digest.IsValid(fsd) ? fsd : null;
        return new TagMessage(model, version, bundle, featureSet, featureSetDigest, fields.GetValueOrDefault("run"),
            [.. metrics.Select(m => intervals.TryGetValue(m.Name, out var interval) ? m with { Interval = interval } : m)]);
    }

    private static (string Key, string Value)? SplitEntry(string line)
    {
        string key;
        string rest;
        if (line.StartsWith('"'))
        {
            // A quoted key: find its closing quote, skipping escaped ones.
            var end = 1;
            while (end < line.Length && line[end] != '"')
            {
                end += line[end] == '\\' ? 2 : 1;
            }

            if (end >= line.Length || Unquote(line[..(end + 1)]) is not { } unquoted)
            {
                return null;
            }

            key = unquoted;
            rest = line[(end + 1)..];
        }
        else
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                return line.EndsWith(':') ? (line[..^1], "") : null;
            }

            key = line[..colon];
            rest = line[colon..];
        }

        if (!rest.StartsWith(':'))
        {
            return null;
        }

        var value = rest[1..].Trim();
        return (key, value.StartsWith('"') ? Unquote(value) ?? value : value);
    }

    private static string Quote(string text) => PlainText().IsMatch(text) ? text : JsonSerializer.Serialize(text);

    private static string? Unquote(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<string>(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^([a-z][a-z0-9_-]*)@v([1-9][0-9]{0,8})$", RegexOptions.CultureInvariant)]
    private static partial Regex TagName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_./@+=-]*(:[A-Za-z0-9_./@+=-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainText();
}

/// <summary>The fields of a registry tag's message.</summary>
internal sealed record TagMessage(
    string Model,
    int Version,
    string Bundle,
    FeatureSetReference? FeatureSet,
    string? FeatureSetDigest,
    string? RunId,
    IReadOnlyList<ModelMetric> Metrics);
