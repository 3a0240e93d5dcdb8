using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Validate;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Validate_CleanExample_ExitsZeroWithSummary()
    {
        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var summary = Assert.Single(result.Lines);
        Assert.StartsWith("validate: 4 declaration files, 7,043 data rows: 0 error(s), 0 warning(s)", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BrokenReference_PrintsCompilerFormatAndExitsOne()
    {
        _repo.Replace("models/churn.yaml", "featureSet: customer@1", "featureSet: customer@4");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Equal(
            "models/churn.yaml(6,13): error MLOPS0202: feature set 'customer@4' does not exist; features/ declares customer@1. Use customer@1, or declare version 4.",
            result.Lines[0]);
        Assert.Contains("1 error(s), 0 warning(s)", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WarningsOnly_ExitsZero()
    {
        _repo.Replace("features/customer.yaml", "description: Months as a customer", "descripton: Months as a customer");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("features/customer.yaml(11,52): warning MLOPS0006: 'descripton' is not a key", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("Did you mean 'description'?", result.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_Json_HasTheSameFindingsAsFields()
    {
        _repo.Replace("models/churn.yaml", "featureSet: customer@1", "featureSet: custmer@1");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--json");

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.False(root.GetProperty("ok").GetBoolean());
        Assert.Equal(1, root.GetProperty("errors").GetInt32());
        var finding = Assert.Single(root.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("MLOPS0201", finding.GetProperty("id").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal("models/churn.yaml", finding.GetProperty("path").GetString());
        Assert.Equal(6, finding.GetProperty("line").GetInt32());
        Assert.Equal(13, finding.GetProperty("column").GetInt32());
        Assert.Contains("Did you mean 'customer'?", finding.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_CsvValueWithALineBreakAndAWorkflowCommand_PrintsOneEscapedLine()
    {
        _repo.EditDataLine(2, line => line.Replace("\"Month-to-month\"", "\"Month\n::error file=x::forged\"", StringComparison.Ordinal));
        _repo.UpdateDataDigest();

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::", StringComparison.Ordinal));
        var line = Assert.Single(result.Lines[..^1]);
        Assert.StartsWith("data/telco-churn.csv(2,", line, StringComparison.Ordinal);
        Assert.Contains(": error MLOPS0406: ", line, StringComparison.Ordinal);
        Assert.Contains(@"('Month\n::error file=x::forged'; line 2)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_YamlValueWithEscapeSequences_PrintsOneEscapedLine()
    {
        _repo.Replace("features/customer.yaml", "version: 1\n", "version: \"1\\e[2J\\e[31m\\nforged\"\n");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("forged", StringComparison.Ordinal));
        Assert.Contains(@"features/customer.yaml(4,10): error MLOPS0008: 'version' must be a whole number, but it is '1\u001B[2J\u001B[31m\nforged'.", result.Lines);
    }

    [Fact]
    public async Task Validate_LongCsvValue_IsCutInTheMessage()
    {
        var value = new string('x', 500_000);
        _repo.EditDataLine(2, line => line.Replace("\"Month-to-month\"", $"\"{value}\"", StringComparison.Ordinal));
        _repo.UpdateDataDigest();

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        var line = Assert.Single(result.Lines, l => l.Contains("MLOPS0406", StringComparison.Ordinal));
        Assert.True(line.Length < 1000, $"{line.Length} characters");
        Assert.Contains("characters cut]...", line, StringComparison.Ordinal);
        Assert.EndsWith("Add them to 'values', or correct the data.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingRepositoryFolder_ExitsTwoWithWhatToDo()
    {
        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Combine("nope"));

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("does not exist. Pass an existing folder with --repo.", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("validate", "--bogus")]
    [InlineData("valdate")]
    public async Task BadUsage_ExitsTwoAndPointsAtHelp(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("Run 'mlops --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FiftyMegabyteDeclaration_ReportsTooLargeWithoutReadingIt()
    {
        using (var stream = File.Create(_repo.Combine("models/huge.yaml")))
        {
            stream.SetLength(50L * 1024 * 1024);
        }

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.StartsWith("models/huge.yaml(1,1): error MLOPS0005: the file has 52,428,800 bytes", result.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BinaryDeclaration_ReportsNotTextAndKeepsCheckingTheRest()
    {
        File.WriteAllBytes(_repo.Combine("environments/blob.yaml"), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]);
        _repo.Replace("models/churn.yaml", "slices: [contract]", "slices: [tenure]");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("environments/blob.yaml(1,1): error MLOPS0004:", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("models/churn.yaml(15,10): error MLOPS0205: slice 'tenure'", StringComparison.Ordinal));
    }
}
