using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Package;

/// <summary>Gate, package, registry and reproduce through the real CLI, on a real git repository and a real folder store.</summary>
public sealed class PackageCommandTests
{
    private static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    private static async Task<ExampleRepository> TrainedExampleAsync()
    {
        var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);
        return repo;
    }

    [Fact]
    public async Task GatePackageReproduce_Example_TagsAnIdenticallyReproducibleBundle()
    {
        using var repo = await TrainedExampleAsync();

        var gate = await OkAsync("gate", "churn", "--environment", "staging", "--repo", repo.Path);
        var package = await OkAsync("package", "--repo", repo.Path, "--json");
        var again = await OkAsync("package", "--repo", repo.Path);
        var reproduce = await OkAsync("reproduce", "churn@v1", "--repo", repo.Path);

        Assert.StartsWith("### Gate passed: churn run ", gate.Out, StringComparison.Ordinal);
        Assert.Contains("| auc >= 0.8 | overall | ", gate.Out, StringComparison.Ordinal);
        var packaged = JsonDocument.Parse(package.Out).RootElement[0];
        var digest = packaged.GetProperty("digest").GetString()!;
        Assert.Equal("churn@v1", packaged.GetProperty("tag").GetString());
        Assert.True(File.Exists(repo.Combine($".mlops/store/sha256/{digest[7..9]}/{digest[9..]}")));
        Assert.Contains("already registered as churn@v1", again.Out, StringComparison.Ordinal);
        var onnx = packaged.GetProperty("onnx");
        Assert.True(onnx.GetProperty("converted").GetBoolean());
        Assert.InRange(onnx.GetProperty("maxAbsoluteDifference").GetDouble(), 0, 1e-5);
        Assert.Matches(@"\n  onnx: model\.onnx carried; 1,\d{3} holdout rows match ML\.NET within [0-9.E-]+ \(tolerance 1E-05\)\n", again.Out);

        // The bundle reproduced with its model.onnx is byte for byte the registered one.
        Assert.Equal($"reproduce churn@v1: identical, bundle {digest}\n", reproduce.Out);
        Assert.Contains($"bundle: {digest}", Git.Run(repo.Path, "tag", "-l", "-n20", "churn@v1"), StringComparison.Ordinal);
        Git.Run(repo.Path, "fsck", "--full", "--strict");
    }

    [Fact]
    public async Task Package_TransformWithoutOnnxExport_SaysWhichAndPackagesWithoutModelOnnx()
    {
        using var repo = new ExampleRepository();
        repo.Replace("features/customer.yaml", "{ name: multiple_lines, type: category,", "{ name: multiple_lines, type: category, nullable: true, fill: mostFrequent,");
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);

        var package = await OkAsync("package", "--repo", repo.Path, "--no-register");

        Assert.Contains("  onnx: not carried: transform ExpressionTransformer (column 'multiple_lines') has no ONNX export in Microsoft.ML.OnnxConverter 0.23.1. The bundle serves with ML.NET only.", package.Out, StringComparison.Ordinal);
        var digest = System.Text.RegularExpressions.Regex.Match(package.Out, "bundle (sha256:[0-9a-f]{64})").Groups[1].Value;
        var bundle = Mlops.Runtime.Bundles.Bundle.Read(await File.ReadAllBytesAsync(repo.Combine($".mlops/store/sha256/{digest[7..9]}/{digest[9..]}"), TestContext.Current.CancellationToken));
        Assert.DoesNotContain("model.onnx", bundle.EntryNames);
        Assert.Null(bundle.Manifest.Onnx);
    }

    [Fact]
    public async Task Gate_ModelMadeWorseOnPurpose_FailsNamingTheRuleAndTheShortfall()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", "  name: lbfgs", "  name: fasttree\n  params: { numberOfTrees: 1, numberOfLeaves: 2 }");
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);

        var gate = await CliRunner.RunAsync("gate", "--environment", "staging", "--repo", repo.Path, "--json");

        Assert.Equal(ExitCodes.CheckFailed, gate.ExitCode);
        var report = JsonDocument.Parse(gate.Out).RootElement[0];
        Assert.False(report.GetProperty("passed").GetBoolean());
        var auc = report.GetProperty("rules").EnumerateArray().First(r => r.GetProperty("rule").GetString() == "auc >= 0.8");
        Assert.False(auc.GetProperty("passed").GetBoolean());
        Assert.Matches(@"^0\.\d+ is below the threshold 0\.8 by 0\.\d+$", auc.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Package_UncommittedChanges_RefusesToRegister()
    {
        using var repo = await TrainedExampleAsync();
        File.AppendAllText(repo.Combine("environments/staging.yaml"), "# edited\n");

        var result = await CliRunner.RunAsync("package", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("the working tree has uncommitted changes", result.Error, StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "tag", "-l"));
    }

    [Fact]
    public async Task Gate_UnknownEnvironment_ExitsTwoWithSuggestion()
    {
        using var repo = await TrainedExampleAsync();

        var result = await CliRunner.RunAsync("gate", "--environment", "stagin", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("Did you mean 'staging'?", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryList_AfterPackaging_ShowsTheVersionWithItsDigestAndMetrics()
    {
        using var repo = await TrainedExampleAsync();
        await OkAsync("package", "--repo", repo.Path);

        var list = JsonDocument.Parse((await OkAsync("registry", "list", "churn", "--repo", repo.Path, "--json")).Out).RootElement;

        var version = Assert.Single(list.EnumerateArray());
        Assert.Equal(1, version.GetProperty("version").GetInt32());
        Assert.StartsWith("sha256:", version.GetProperty("digest").GetString(), StringComparison.Ordinal);
        Assert.True(version.GetProperty("metrics").GetProperty("auc").GetDouble() >= 0.83);
        Assert.True(version.GetProperty("metrics").TryGetProperty("auc[contract=One year]", out _));
    }
}
