using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Cli.Output;

/// <summary>Writes findings as compiler-style lines, as JSON objects, as GitHub Actions annotations or as SARIF 2.1.0.</summary>
internal static class DiagnosticOutput
{
    /// <summary>The SARIF version written, and the schema GitHub code scanning and editors resolve it with.</summary>
    public const string SarifVersion = "2.1.0";

    private const string SarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

    public static async Task WriteLinesAsync(TextWriter writer, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            await writer.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        }
    }

    public static void WriteJson(Utf8JsonWriter json, IEnumerable<Diagnostic> diagnostics)
    {
        json.WriteStartArray("diagnostics");
        foreach (var diagnostic in diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("id", diagnostic.Id);
            json.WriteString("severity", Level(diagnostic.Severity));
            json.WriteString("path", diagnostic.Location.Path);
            json.WriteNumber("line", diagnostic.Location.Line);
            json.WriteNumber("column", diagnostic.Location.Column);
            json.WriteString("message", diagnostic.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// One GitHub Actions workflow command a finding: <c>::error file=PATH,line=L,col=C,title=ID::message</c>
    /// (<c>::warning</c> for warnings), which the runner shows as an annotation on that line of the pull request.
    /// </summary>
    public static async Task WriteGitHubAsync(TextWriter writer, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            var location = diagnostic.Location;
            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"::{Level(diagnostic.Severity)} file={GitHubProperty(location.Path)},line={location.Line},col={location.Column},title={GitHubProperty(diagnostic.Id)}::{GitHubMessage(diagnostic.Message)}"))
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A SARIF 2.1.0 log with one run: the tool <c>mlops</c>, a rule for every id reported (title, help link, default
    /// level), and a result for every finding at its file (relative to the repository root), line and column.
    /// </summary>
    public static void WriteSarif(Utf8JsonWriter json, IReadOnlyList<Diagnostic> diagnostics)
    {
        var descriptors = DiagnosticIds.All.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var ruleIds = diagnostics.Select(d => d.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        json.WriteStartObject();
        json.WriteString("$schema", SarifSchema);
        json.WriteString("version", SarifVersion);
        json.WriteStartArray("runs");
        json.WriteStartObject();
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "mlops");
        json.WriteString("informationUri", DiagnosticIds.HelpLinkBase[..DiagnosticIds.HelpLinkBase.IndexOf("/blob/", StringComparison.Ordinal)]);
        json.WriteStartArray("rules");
        foreach (var id in ruleIds)
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            if (descriptors.TryGetValue(id, out var descriptor))
            {
                json.WriteStartObject("shortDescription");
                json.WriteString("text", descriptor.Title);
                json.WriteEndObject();
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", Level(descriptor.Severity));
                json.WriteEndObject();
            }

            json.WriteString("helpUri", DiagnosticIds.HelpLink(id));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("results");
        foreach (var diagnostic in diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("ruleId", diagnostic.Id);
            json.WriteNumber("ruleIndex", ruleIds.IndexOf(diagnostic.Id));
            json.WriteString("level", Level(diagnostic.Severity));
            json.WriteStartObject("message");
            json.WriteString("text", diagnostic.Message);
            json.WriteEndObject();
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", RelativeUri(diagnostic.Location.Path));
            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", diagnostic.Location.Line);
            json.WriteNumber("startColumn", diagnostic.Location.Column);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Level(Severity severity) => severity == Severity.Error ? "error" : "warning";

    // GitHub's rules for a workflow command's data (actions/toolkit, command.ts escapeData): a message cannot end
    // the command early or start a new one.
    private static string GitHubMessage(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    // A property value also cannot end its property (',') or the property list ('::').
    private static string GitHubProperty(string value) =>
        GitHubMessage(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    // A relative URI reference: each path segment percent-encoded (a space, '#' or '%' in a file name), the slashes kept.
    private static string RelativeUri(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
