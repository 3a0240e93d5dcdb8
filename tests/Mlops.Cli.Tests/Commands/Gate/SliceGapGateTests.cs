using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Gate;

/// <summary>
/// A <c>maxGap</c> rule through the real CLI (train, evaluate, gate) on a generated git repository: a model
/// whose data carries random labels for one segment serves that segment much worse and is refused; the
/// same model on clean data passes. Brier and ECE are measured overall and per segment on the way.
/// </summary>
public sealed partial class SliceGapGateTests
{
    private const string GapRule = "| recall gap across segment <= 0.2 | segment=* | ";

    [Fact]
    public async Task Gate_OneSegmentWithNoiseLabels_IsRefusedNamingThatSegmentAsWorst()
    {
        using var repo = Repository(noisySegment: "c");

        var gate = await GateAsync(repo);

        Assert.Equal(1, gate.ExitCode); // ExitCodes.CheckFailed
        var row = Row(gate.Out, GapRule);
        Assert.Matches(GapFailure(), row);
        Assert.Contains(", worst segment=c (", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_CleanData_PassesTheGapAndMeasuresCalibrationPerSegment()
    {
        using var repo = Repository(noisySegment: null);

        var gate = await GateAsync(repo);

        Assert.True(gate.ExitCode == 0, gate.Out + gate.Error);
        var row = Row(gate.Out, GapRule);
        Assert.Contains("| pass: best segment=", row, StringComparison.Ordinal);
        var gap = double.Parse(row.Split('|')[3], CultureInfo.InvariantCulture);
        Assert.InRange(gap, 0, 0.2);
        Assert.Matches(@"^\| brier <= 0\.25 \| overall \| 0\.\d+ \|", Row(gate.Out, "| brier <= 0.25 | overall |"));
        foreach (var segment in new[] { "a", "b", "c" })
        {
            Assert.Matches(@"^\| ece <= 0\.5 \| segment=" + segment + @" \| 0(\.\d+)? \|", Row(gate.Out, $"| ece <= 0.5 | segment={segment} |"));
        }

        // The registry tag records them with the other metrics, overall and per segment.
        var package = await CliRunner.RunAsync("package", "--repo", repo.Path);
        Assert.True(package.ExitCode == 0, package.Out + package.Error);
        var tag = Git.Run(repo.Path, "tag", "-l", "--format=%(contents)", "points@v1");
        Assert.Matches(@"\n  brier: 0\.\d+\n", tag);
        Assert.Matches(@"\n  ""ece\[segment=c\]"": 0(\.\d+)?\n", tag);
    }

    private static async Task<CliResult> GateAsync(TempDirectory repo)
    {
        Git.InitAndCommit(repo.Path);
        foreach (var command in new[] { "train", "evaluate" })
        {
            var result = await CliRunner.RunAsync(command, "--repo", repo.Path);
            Assert.True(result.ExitCode == 0, $"mlops {command}: {result.Error}{result.Out}");
        }

        return await CliRunner.RunAsync("gate", "points", "--repo", repo.Path);
    }

    private static string Row(string markdown, string start) =>
        Assert.Single(markdown.Split('\n'), l => l.StartsWith(start, StringComparison.Ordinal));

    /// <summary>
    /// 800 rows; the label is x + y &gt; 0 for every segment except <paramref name="noisySegment"/>, whose
    /// labels are coin flips. A model can then do no better than chance there, whatever it learns.
    /// </summary>
    private static TempDirectory Repository(string? noisySegment)
    {
        var repo = new TempDirectory("mlops-slice-gap");
        repo.Write("features/points.yaml", """
            featureSet: points
            version: 1
            features:
              - { name: x, type: float }
              - { name: y, type: float }
              - { name: segment, type: category, values: [a, b, c] }
            """);
        var random = new Random(11);
        var csv = new StringBuilder("x,y,segment,label\n");
        string[] segments = ["a", "b", "c"];
        for (var i = 0; i < 800; i++)
        {
            var x = (random.NextDouble() * 2) - 1;
            var y = (random.NextDouble() * 2) - 1;
            var segment = segments[i % 3];
            var label = segment == noisySegment ? random.Next(2) == 1 : x + y > 0;
            csv.Append(CultureInfo.InvariantCulture, $"{x:0.####},{y:0.####},{segment},{(label ? "yes" : "no")}\n");
        }

        repo.Write("data/points.csv", csv.ToString());
        repo.Write("models/points.yaml", $$"""
            model: points
            task: binary-classification
            featureSet: points@1
            label: { column: label, positive: "yes" }
            data:
              path: data/points.csv
              digest: {{SyntheticRepository.Digest(repo, "data/points.csv")}}
              split: { holdout: 0.3, seed: 3 }
            trainer: { name: lbfgs, seed: 5 }
            slices: [segment]
            gate:
              - { metric: recall, slice: segment, maxGap: 0.2 }
              - { metric: brier, max: 0.25 }
              - { metric: ece, max: 0.5, slice: segment }
            """);
        return repo;
    }

    [GeneratedRegex(@"^\| recall gap across segment <= 0\.2 \| segment=\* \| 0\.\d+ \|  \|  \|  \| \*\*FAIL\*\*: gap 0\.\d+ is above the maximum 0\.2 by 0\.\d+: best segment=[ab] \(")]
    private static partial Regex GapFailure();
}
