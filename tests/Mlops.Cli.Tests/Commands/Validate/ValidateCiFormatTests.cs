using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Validate;

/// <summary><c>mlops validate --format github|sarif</c>: findings as GitHub Actions annotations and as SARIF 2.1.0 for code scanning.</summary>
public sealed class ValidateCiFormatTests : IDisposable
{
    // Validates the SARIF log (argument 2) against the schema (argument 1) with the validator its $schema names.
    private const string Script = """
        import json, sys
        from jsonschema.validators import validator_for
        with open(sys.argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        with open(sys.argv[2], encoding="utf-8") as f:
            log = json.load(f)
        validator = validator_for(schema)
        validator.check_schema(schema)
        errors = list(validator(schema).iter_errors(log))
        for error in errors:
            print("/".join(str(p) for p in error.absolute_path) + ": " + error.message)
        print("ok" if not errors else f"{len(errors)} error(s)")
        sys.exit(1 if errors else 0)
        """;

    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task GitHub_BrokenReference_PrintsAnErrorCommandWithFileLineAndColumn()
    {
        _repo.Replace("models/churn.yaml", "featureSet: customer@1", "featureSet: customer@4");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "github");

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Equal(
            "::error file=models/churn.yaml,line=6,col=13,title=MLOPS0202::feature set 'customer@4' does not exist; features/ declares customer@1. Use customer@1, or declare version 4.",
            result.Lines[0]);
        Assert.StartsWith("validate: ", result.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHub_Warning_PrintsAWarningCommandAndExitsZero()
    {
        _repo.Replace("features/customer.yaml", "description: Months as a customer", "descripton: Months as a customer");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "github");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("::warning file=features/customer.yaml,line=11,col=52,title=MLOPS0006::", result.Lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GitHub_PercentAndCommandsInAValue_AreEscapedSoNoCommandIsForged()
    {
        _repo.EditDataLine(2, line => line.Replace("\"Month-to-month\"", "\"100%\n::error file=x::forged\"", StringComparison.Ordinal));
        _repo.UpdateDataDigest();

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "github");

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        var line = Assert.Single(result.Lines[..^1]);
        Assert.StartsWith("::error file=data/telco-churn.csv,line=2,col=", line, StringComparison.Ordinal);
        Assert.Contains(@"'100%25\n::error file=x::forged'", line, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("::error file=x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sarif_BrokenFile_ValidatesAgainstTheSarif210Schema()
    {
        _repo.Replace("models/churn.yaml", "featureSet: customer@1", "featureSet: customer@4");
        _repo.Replace("features/customer.yaml", "description: Months as a customer", "descripton: Months as a customer");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "sarif");

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        var log = _repo.Write("out/mlops.sarif", result.Out);
        var (exitCode, output) = await RunSchemaCheckAsync(Path.Combine(AppContext.BaseDirectory, "Commands", "Validate", "Sarif", "sarif-2.1.0-rtm.5.json"), log);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Sarif_BrokenReference_HasTheRuleResultAndRelativeLocation()
    {
        _repo.Replace("models/churn.yaml", "featureSet: customer@1", "featureSet: customer@4");

        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "sarif");

        using var json = JsonDocument.Parse(result.Out);
        var run = Assert.Single(json.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("2.1.0", json.RootElement.GetProperty("version").GetString());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("mlops", driver.GetProperty("name").GetString());
        var rule = Assert.Single(driver.GetProperty("rules").EnumerateArray());
        Assert.Equal("MLOPS0202", rule.GetProperty("id").GetString());
        Assert.EndsWith("/docs/diagnostics/MLOPS0202.md", rule.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
        var finding = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("MLOPS0202", finding.GetProperty("ruleId").GetString());
        Assert.Equal("error", finding.GetProperty("level").GetString());
        Assert.StartsWith("feature set 'customer@4' does not exist", finding.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        var location = Assert.Single(finding.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");
        Assert.Equal("models/churn.yaml", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(6, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal(13, location.GetProperty("region").GetProperty("startColumn").GetInt32());
    }

    [Fact]
    public async Task Format_WithJson_ExitsTwoWithOneLine()
    {
        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "sarif", "--json");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("mlops: --json and --format sarif ask for two outputs. Pass one of them.\n", result.Error.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Format_Unknown_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("validate", "--repo", _repo.Path, "--format", "junit");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("junit", result.Error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunSchemaCheckAsync(string schema, string log)
    {
        var available = await Python.CanImportAsync("jsonschema").WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(!available && Python.Required, "python3 with the jsonschema module is not installed, and CI=true does not skip; see .ci/run.");
        Assert.SkipUnless(available, "python3 with the jsonschema module is not installed.");
        return await Python.RunAsync(["-c", Script, schema, log], TestContext.Current.CancellationToken);
    }
}
