using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Cli.Tests.Commands.Drift;

namespace Mlops.Cli.Tests.Commands.Report;

/// <summary><c>mlops report drift</c>: the figures of <c>mlops drift</c> in one self-contained HTML file, and nothing written on bad input.</summary>
public sealed partial class ReportDriftCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Report_ShiftedData_HoldsTheFiguresOfDriftJson_AndExitsOneWithTheFileWritten()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(2000, shift: 0, seed: 1));
        var current = Write("cur.csv", DriftCommandTests.Rows(1500, shift: 1, seed: 2) + string.Concat(Enumerable.Repeat(",\n", 300)));
        var html = Path.Combine(_folder, "out", "drift.html");

        var report = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", current, "--method", "ks", "--html", html);
        var drift = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current, "--method", "ks", "--json");

        Assert.True(report.ExitCode == 1, report.Error + report.Out);
        Assert.Equal(drift.ExitCode, report.ExitCode);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(drift.Out);
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(["amount", "plan"], features.Select(f => f.GetProperty("name").GetString()));
        foreach (var feature in features)
        {
            var row = FeatureRow(page, feature.GetProperty("name").GetString()!);
            Assert.Equal(feature.GetProperty("drifted").GetBoolean() ? "true" : "false", Attribute(row, "data-drifted"));
            Assert.Equal(feature.GetProperty("method").GetString(), Field(row, "method"));
            Assert.Equal(feature.GetProperty("kind").GetString(), Field(row, "kind"));
            foreach (var (field, name) in new[] { ("statistic", "statistic"), ("pValue", "pValue"), ("threshold", "threshold"), ("referenceNullRate", "referenceNullRate"), ("currentNullRate", "currentNullRate"), ("unseenShare", "unseenShare") })
            {
                var expected = feature.GetProperty(name);
                Assert.Equal(expected.ValueKind == JsonValueKind.Null ? null : expected.GetDouble(), Value(row, field));
            }
        }

        var verdict = Regex.Match(page, "<p class=\"verdict[^\"]*\" data-drifted=\"(\\w+)\" data-drifted-share=\"([^\"]+)\" data-drift-share=\"([^\"]+)\"");
        Assert.True(verdict.Success, "no verdict paragraph");
        Assert.Equal(("true", json.RootElement.GetProperty("driftedShare").GetDouble(), json.RootElement.GetProperty("driftShare").GetDouble()),
            (verdict.Groups[1].Value, double.Parse(verdict.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(verdict.Groups[3].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(300.0 / 1800, Value(FeatureRow(page, "amount"), "currentNullRate")!.Value, 12);
    }

    [Fact]
    public async Task Report_HoldsNoAddressElsewhere_NoScript_AndAChartWithItsFiguresPerFeature()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(500, shift: 0, seed: 1));
        var current = Write("cur.csv", DriftCommandTests.Rows(500, shift: 0.3, seed: 2));
        var html = Path.Combine(_folder, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", current, "--html", html);

        Assert.True(result.ExitCode is 0 or 1, result.Error + result.Out);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("http://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link rel=\"stylesheet\"", page, StringComparison.Ordinal);
        var references = AddressAttribute().Matches(page).Select(m => m.Groups[2].Value).ToList();
        Assert.NotEmpty(references);
        Assert.All(references, address => Assert.True(address.StartsWith('#') || address == "data:,", $"an address that leaves the file: {address}"));
        Assert.All(CssUrl().Matches(page).Select(m => m.Groups[1].Value.Trim('\'', '"', ' ')), url => Assert.StartsWith("data:", url, StringComparison.Ordinal));
        Assert.DoesNotContain("//", string.Concat(references), StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(page, "<svg class=\"bar-chart\""));
        Assert.Equal(2, Regex.Count(page, "<svg class=\"bar-chart\"[\\s\\S]*?</svg><table class=\"figures\""));
        Assert.Contains("<tr data-bin=\"basic\"><th scope=\"row\">basic</th>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Numbers_TenEqualWidthBinsOverTheReferenceRange_AndValuesAboveItInABinOfTheirOwn()
    {
        var reference = Write("ref.csv", "amount\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"{i}\n")));
        var current = Write("cur.csv", "amount\n" + string.Concat(Enumerable.Range(50, 100).Select(i => $"{i}\n")));
        var html = Path.Combine(_folder, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", current, "--html", html);

        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        var figures = page[page.IndexOf("<table class=\"figures\">", StringComparison.Ordinal)..];
        var bins = Regex.Matches(figures[..figures.IndexOf("</table>", StringComparison.Ordinal)], "<tr data-bin=\"([^\"]*)\"><th scope=\"row\">[^<]*</th><td class=\"num\" data-value=\"([^\"]*)\">[^<]*</td><td class=\"num\" data-value=\"([^\"]*)\">")
            .Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(11, bins.Count);
        Assert.Equal(("0–9.9", 0.1, 0.0), bins[0]);
        Assert.Equal(("89.1–99", 0.1, 0.1), bins[9]);
        Assert.All(bins.Take(10), b => Assert.Equal(0.1, b.Item2, 12));
        Assert.Equal(("&gt; 99", 0.0, 0.5), bins[10]); // escaped in the attribute
    }

    [Fact]
    public async Task Report_Categories_TheEightMostFrequentByName_AndTheRestAsOther()
    {
        // Twelve categories, c00 the most frequent and c11 the rarest: 12, 11, ..., 1 rows each.
        var rows = "plan\n" + string.Concat(Enumerable.Range(0, 12).SelectMany(c => Enumerable.Repeat($"c{c:00}\n", 12 - c)));
        var reference = Write("ref.csv", rows);
        var html = Path.Combine(_folder, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", reference, "--html", html);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        var bins = Regex.Matches(page, "<tr data-bin=\"([^\"]*)\"><th scope=\"row\">[^<]*</th><td class=\"num\" data-value=\"([^\"]*)\">")
            .Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(["c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "(other)"], bins.Select(b => b.Item1));
        Assert.Equal((4 + 3 + 2 + 1) / 78.0, bins[^1].Item2, 12); // c08 to c11 of 78 rows
    }

    [Fact]
    public async Task Report_MissingCurrentFile_ExitsTwoNamingIt_AndWritesNothing()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(100, shift: 0, seed: 1));
        var html = Path.Combine(_folder, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", Path.Combine(_folder, "absent.csv"), "--html", html);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("absent.csv' does not exist", result.Error, StringComparison.Ordinal);
        Assert.Equal(["ref.csv"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Report_CurrentMissingAFeature_ExitsTwoNamingTheColumn_AndWritesNothing()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(100, shift: 0, seed: 1));
        var current = Write("cur.csv", "amount\n1\n2\n");
        var html = Path.Combine(_folder, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", current, "--html", html);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{current}(1,1): error MLOPS0403: the header has no column for 'plan'", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(html));
    }

    [Fact]
    public async Task Report_OutputFolderNotWritable_ExitsTwoWithAMessage_AndLeavesNoFile()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(100, shift: 0, seed: 1));

        // A file where the folder should be: no one, root included, can write below it.
        var blocker = Write("not-a-folder", "");
        var html = Path.Combine(blocker, "drift.html");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", reference, "--html", html);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"mlops: cannot write the report '{html}': ", result.Error, StringComparison.Ordinal);
        Assert.Contains("Pass --html with a file in a folder you can write to.", result.Error, StringComparison.Ordinal);
        Assert.Equal(["not-a-folder", "ref.csv"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Report_NoDrift_ExitsZero_AndReplacesAnEarlierFileWhole()
    {
        var reference = Write("ref.csv", DriftCommandTests.Rows(2000, shift: 0, seed: 1));
        var current = Write("cur.csv", DriftCommandTests.Rows(1500, shift: 0, seed: 2));
        var html = Write("drift.html", "an earlier report");

        var result = await CliRunner.RunAsync("report", "drift", "--reference", reference, "--current", current, "--html", html);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.StartsWith("<!DOCTYPE html>", await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("no data set drift: 0 of 2 features drifted; report written to", result.Out, StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(_folder).Length); // no temporary file left beside it
    }

    internal static string FeatureRow(string page, string feature)
    {
        var start = page.IndexOf($"<tr data-feature=\"{feature}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table row for {feature}");
        return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    private static string Attribute(string row, string name) => Regex.Match(row, $"{name}=\"([^\"]*)\"").Groups[1].Value;

    private static string Field(string row, string field) => Regex.Match(row, $"data-field=\"{field}\"[^>]*>([^<]*)<").Groups[1].Value;

    private static double? Value(string row, string field)
    {
        var cell = Regex.Match(row, $"<td [^>]*data-field=\"{field}\"[^>]*>");
        Assert.True(cell.Success, $"no cell {field}");
        var value = Regex.Match(cell.Value, "data-value=\"([^\"]*)\"");
        return value.Success ? double.Parse(value.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    [GeneratedRegex("\\s(src|href|xlink:href|action|srcset|poster|data)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex AddressAttribute();

    [GeneratedRegex("url\\(([^)]*)\\)", RegexOptions.IgnoreCase)]
    private static partial Regex CssUrl();
}
