using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Predict;

/// <summary>The example trained, packaged and promoted to staging once, through the real CLI on a real git repository.</summary>
public sealed class PromotedExample : IAsyncLifetime
{
    public ExampleRepository Repo { get; } = new();

    public string Digest { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Git.InitAndCommit(Repo.Path);
        foreach (var args in new[] { ["train"], ["evaluate"], ["package"], new[] { "promote", "churn", "--to", "staging", "--on-current-branch" } })
        {
            var result = await CliRunner.RunAsync([.. args, "--repo", Repo.Path]);
            Assert.True(result.ExitCode == 0, $"mlops {string.Join(' ', args)}: {result.Error}{result.Out}");
        }

        var registry = await CliRunner.RunAsync("registry", "list", "churn", "--json", "--repo", Repo.Path);
        Digest = JsonDocument.Parse(registry.Out).RootElement[0].GetProperty("digest").GetString()!;
    }

    public ValueTask DisposeAsync()
    {
        Repo.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary><c>mlops predict</c>: scores a file with what an environment pins, as the server would; bad rows are never dropped silently.</summary>
public sealed class PredictCommandTests(PromotedExample example) : IClassFixture<PromotedExample>
{
    private string Repo => example.Repo.Path;

    private string Data => example.Repo.Combine("data/telco-churn.csv");

    [Fact]
    public async Task Predict_Environment_ScoresEveryRowWithThePinnedBundleAndSaysSoBesideTheFile()
    {
        var output = example.Repo.Combine("out/pinned.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        var result = await CliRunner.RunAsync("predict", "churn", "--environment", "staging", "--input", Data, "--output", output, "--json", "--repo", Repo);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        var lines = File.ReadAllLines(output);
        Assert.Equal("line,prediction,probability,score", lines[0]);
        Assert.Equal(7044, lines.Length);
        Assert.StartsWith("2,", lines[1], StringComparison.Ordinal);
        using var sidecar = JsonDocument.Parse(File.ReadAllText(output + ".meta.json"));
        Assert.Equal((1, example.Digest, "staging"), (sidecar.RootElement.GetProperty("version").GetInt32(), sidecar.RootElement.GetProperty("bundleDigest").GetString(), sidecar.RootElement.GetProperty("environment").GetString()));
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal((7043, 7043, 0), (json.RootElement.GetProperty("rows").GetInt32(), json.RootElement.GetProperty("scored").GetInt32(), json.RootElement.GetProperty("refused").GetInt32()));
    }

    [Fact]
    public async Task Predict_RegisteredVersion_WritesWhatTheEnvironmentPinWrites()
    {
        var pinned = example.Repo.Combine("pinned-2.csv");
        var registered = example.Repo.Combine("registered.csv");

        await CliRunner.RunAsync("predict", "churn", "--environment", "staging", "--input", Data, "--output", pinned, "--repo", Repo);
        var result = await CliRunner.RunAsync("predict", "churn", "--version", "1", "--input", Data, "--output", registered, "--repo", Repo);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("predict churn v1", result.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(pinned), File.ReadAllBytes(registered));
    }

    [Fact]
    public async Task Predict_BadRows_FailNamingLineColumnAndIdAndWriteNothing()
    {
        var input = BadInput("bad-1.csv");
        var output = example.Repo.Combine("bad-1-out.csv");

        var result = await CliRunner.RunAsync("predict", "churn", "--environment", "staging", "--input", input, "--output", output, "--repo", Repo);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal(
        [
            $"{input}(3,24): error MLOPS0406: internet_service: \"Dsl\" is not a declared category (\"DSL\", \"Fiber optic\", \"No\"), and the feature rejects others (onUnknown: reject).",
            $"{input}(5,14): error MLOPS0404: tenure: expected a number, got \"ten\".",
        ], result.Lines);
        Assert.Contains("2 rows of", result.Error, StringComparison.Ordinal);
        Assert.Contains("--errors FILE", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".meta.json"));
        Assert.Empty(Directory.EnumerateFiles(example.Repo.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Predict_BadRowsWithAnErrorsFile_ScoresTheOthersAndWritesTheBadOnesBeside()
    {
        var input = BadInput("bad-2.csv");
        var output = example.Repo.Combine("bad-2-out.csv");
        var errors = example.Repo.Combine("bad-2-errors.csv");

        var result = await CliRunner.RunAsync("predict", "churn", "--environment", "staging", "--input", input, "--output", output, "--errors", errors, "--repo", Repo);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("7,041 of 7,043 rows scored", result.Out, StringComparison.Ordinal);
        Assert.Equal(7042, File.ReadAllLines(output).Length);
        Assert.DoesNotContain(File.ReadAllLines(output), l => l.StartsWith("3,", StringComparison.Ordinal) || l.StartsWith("5,", StringComparison.Ordinal));
        var refused = File.ReadAllLines(errors);
        Assert.Equal("line,column,feature,id,message", refused[0]);
        Assert.Equal(["3,24,internet_service,MLOPS0406", "5,14,tenure,MLOPS0404"], refused.Skip(1).Select(l => string.Join(',', l.Split(',').Take(4))));
    }

    [Fact]
    public async Task Predict_ColumnTheModelNeedsMissing_ExitsTwoNamingIt()
    {
        var input = example.Repo.Combine("no-tenure.csv");
        File.WriteAllLines(input, File.ReadAllLines(Data).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 5))));

        var result = await CliRunner.RunAsync("predict", "churn", "--environment", "staging", "--input", input, "--output", example.Repo.Combine("x.csv"), "--repo", Repo);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"{input}(1,1): error MLOPS0403: the header has no column for 'tenure'", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("neither", "name the bundle to score with: --environment ENV")]
    [InlineData("both", "name the bundle to score with: --environment ENV")]
    [InlineData("unpinned environment", "environment 'production' pins no model 'churn'")]
    [InlineData("unknown environment", "there is no environment 'prod' in environments/. It declares production, staging.")]
    [InlineData("unregistered version", "there is no registered version churn@v9")]
    [InlineData("missing input", "does not exist. Pass an existing CSV file with --input.")]
    public async Task Predict_BundleOrInputNotThere_ExitsTwoWithOneLine(string fault, string expected)
    {
        string[] which = fault switch
        {
            "neither" => [],
            "both" => ["--environment", "staging", "--version", "1"],
            "unpinned environment" => ["--environment", "production"],
            "unknown environment" => ["--environment", "prod"],
            "unregistered version" => ["--version", "9"],
            _ => ["--environment", "staging"],
        };
        var input = fault == "missing input" ? example.Repo.Combine("nothing.csv") : Data;

        var result = await CliRunner.RunAsync(["predict", "churn", .. which, "--input", input, "--output", example.Repo.Combine("y.csv"), "--repo", Repo]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The example's data with an undeclared category on line 3 and a word for a number on line 5.</summary>
    private string BadInput(string name)
    {
        var lines = File.ReadAllLines(Data);
        lines[2] = lines[2].Replace("\"DSL\"", "\"Dsl\"", StringComparison.Ordinal);
        var fields = lines[4].Split(',');
        fields[5] = "ten";
        lines[4] = string.Join(',', fields);
        var path = example.Repo.Combine(name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
