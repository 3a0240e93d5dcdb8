using System.Text;
using System.Text.Json;
using Mlops.Cli.Commands.Init;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Init;

/// <summary><c>mlops init</c> on new and existing repositories: it adds the convention and never changes a file that is there.</summary>
public sealed class InitCommandTests
{
    /// <summary>An existing repository with files of its own, some at the convention's paths.</summary>
    private static readonly Dictionary<string, string> s_ownFiles = new()
    {
        ["README.md"] = "# Our service\n\nNot about models at all.\n",
        [".gitignore"] = "node_modules/\n",
        ["features/orders.yaml"] = "featureSet: orders\nversion: 2\nfeatures:\n  - { name: amount, type: float }\n",
        ["dotnet-tools.json"] = "{\n  \"version\": 1,\n  \"isRoot\": true,\n  \"tools\": {\n    \"dotnet-ef\": { \"version\": \"9.0.0\", \"commands\": [\"dotnet-ef\"] }\n  }\n}\n",
        ["src/App/Program.cs"] = "System.Console.WriteLine(\"hello\");\n",
    };

    private static TempDirectory ExistingRepository()
    {
        var repo = new TempDirectory("mlops-init");
        foreach (var (path, text) in s_ownFiles)
        {
            repo.Write(path, text);
        }

        return repo;
    }

    private static SortedDictionary<string, string> Snapshot(TempDirectory repo) =>
        new(Directory.EnumerateFiles(repo.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(repo.Path, f).Replace('\\', '/'), f => Convert.ToHexString(File.ReadAllBytes(f))), StringComparer.Ordinal);

    [Fact]
    public async Task Init_ExistingRepository_AddsTheConventionAndLeavesEveryOwnFileByteForByte()
    {
        using var repo = ExistingRepository();

        var result = await CliRunner.SucceedAsync("init", "--repo", repo.Path);

        foreach (var (path, text) in s_ownFiles)
        {
            Assert.Equal(Encoding.UTF8.GetBytes(text), File.ReadAllBytes(repo.Combine(path)));
        }

        foreach (var added in new[] { "models/churn.yaml", "features/customer.yaml", "environments/staging.yaml", "environments/production.yaml", "data/customers.csv", "build.cake", "build/pipeline.cake", ".github/workflows/merge.yml", ".github/CODEOWNERS" })
        {
            Assert.True(File.Exists(repo.Combine(added)), $"{added} was not added:\n{result.Out}");
            Assert.Contains($"add {added}", result.Lines);
        }

        Assert.Contains("leave README.md (exists)", result.Lines);
        Assert.Contains("leave .gitignore (exists)", result.Lines);
        Assert.Contains("leave .config/dotnet-tools.json (dotnet-tools.json is the tool manifest)", result.Lines);
        Assert.False(File.Exists(repo.Combine(".config/dotnet-tools.json")), "a second tool manifest would shadow the repository's own");
        Assert.Contains($"  dotnet tool install mlops.cli --version {RepositoryConvention.ToolVersion}", result.Lines);
        Assert.Contains("  dotnet tool install cake.tool --version 7.0.0", result.Lines);
        Assert.Contains($"mlops init: added {RepositoryConvention.Files().Count - 3} files, left 3 alone in {repo.Path}.", result.Lines);
    }

    [Fact]
    public async Task Init_SecondRun_AddsNothingAndChangesNothing()
    {
        using var repo = ExistingRepository();
        await CliRunner.SucceedAsync("init", "--repo", repo.Path);
        var before = Snapshot(repo);

        var second = await CliRunner.SucceedAsync("init", "--repo", repo.Path);

        Assert.Equal(before, Snapshot(repo));
        Assert.DoesNotContain(second.Lines, l => l.StartsWith("add ", StringComparison.Ordinal));
        Assert.Equal(RepositoryConvention.Files().Count, second.Lines.Count(l => l.StartsWith("leave ", StringComparison.Ordinal)));
        Assert.Contains($"mlops init: added 0 files, left {RepositoryConvention.Files().Count} alone in {repo.Path}.", second.Lines);
    }

    [Fact]
    public async Task Init_ManifestThatHasTheTools_PrintsNoInstallLines()
    {
        using var repo = new TempDirectory("mlops-init");
        repo.Write(".config/dotnet-tools.json", $$"""{ "version": 1, "isRoot": true, "tools": { "Mlops.Cli": { "version": "0.0.1", "commands": ["mlops"] }, "cake.tool": { "version": "6.0.0", "commands": ["dotnet-cake"] } } }""");

        var result = await CliRunner.SucceedAsync("init", "--repo", repo.Path);

        Assert.Contains("leave .config/dotnet-tools.json (exists)", result.Lines);
        Assert.DoesNotContain(result.Lines, l => l.Contains("dotnet tool install", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Init_DryRun_ListsWhatItWouldAddAndWritesNothing()
    {
        using var repo = ExistingRepository();
        var before = Snapshot(repo);

        var result = await CliRunner.SucceedAsync("init", "--repo", repo.Path, "--dry-run");

        Assert.Equal(before, Snapshot(repo));
        Assert.Equal("dry run: nothing is written.", result.Lines[0]);
        Assert.Contains("add models/churn.yaml", result.Lines);
        Assert.Contains("leave README.md (exists)", result.Lines);
        Assert.Contains($"mlops init (dry run): would add {RepositoryConvention.Files().Count - 3} files, leave 3 alone in {repo.Path}.", result.Lines);
    }

    [Fact]
    public async Task Init_RepositoryFolderMissing_FailsWithExit2AndSaysWhatToDo()
    {
        using var parent = new TempDirectory("mlops-init");
        var missing = parent.Combine("no-such-repo");

        var result = await CliRunner.RunAsync("init", "--repo", missing);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"mlops: the repository folder '{missing}' does not exist. Create it first (mkdir), or pass an existing folder with --repo.\n", result.Error);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Init_RepositoryIsAFile_FailsWithExit2AndLeavesTheFile()
    {
        using var parent = new TempDirectory("mlops-init");
        var file = parent.Write("notes.txt", "mine\n");

        var result = await CliRunner.RunAsync("init", "--repo", file);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"mlops: --repo '{file}' is a file, not a folder. Pass the repository's folder.\n", result.Error);
        Assert.Equal("mine\n", File.ReadAllText(file));
    }

    [Fact]
    public async Task Init_NewRepository_ValidatesAndItsExampleModelPassesItsGateAndIsPromoted()
    {
        using var repo = new TempDirectory("mlops-init");
        await CliRunner.SucceedAsync("init", "--repo", repo.Path);
        Git.InitAndCommit(repo.Path);

        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--repo", repo.Path);

        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops pipeline exited {result.ExitCode}: {result.Error}{result.Out}");
        Assert.Contains("validate: 4 declaration files, 3,000 data rows: 0 error(s), 0 warning(s)", result.Out, StringComparison.Ordinal);
        Assert.Contains("### Gate passed: churn ", result.Out, StringComparison.Ordinal);
        Assert.Contains("promote churn v1 to staging: commit ", result.Out, StringComparison.Ordinal);
        Assert.Contains("version: 1", Git.Run(repo.Path, "show", "promote/churn-v1-staging:environments/staging.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Convention_ExampleData_IsTheSameBytesEachTimeAndTheModelPinsItsDigest()
    {
        var first = RepositoryConvention.Files();
        var second = RepositoryConvention.Files();

        var data = first.Single(f => f.Path == "data/customers.csv").Content;
        Assert.Equal(data, second.Single(f => f.Path == "data/customers.csv").Content);
        Assert.Equal(ExampleCustomers.Rows + 1, Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var model = Encoding.UTF8.GetString(first.Single(f => f.Path == "models/churn.yaml").Content);
        Assert.Contains($"  digest: sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data))}\n", model, StringComparison.Ordinal);
    }

    [Fact]
    public void Convention_ToolManifest_PinsThisToolsVersionAndTheCakeOfThisRepositorysManifest()
    {
        var manifest = JsonDocument.Parse(RepositoryConvention.Files().Single(f => f.Path == ".config/dotnet-tools.json").Content).RootElement.GetProperty("tools");
        var ours = JsonDocument.Parse(File.ReadAllBytes(RepositoryRoot.Combine(".config", "dotnet-tools.json"))).RootElement.GetProperty("tools");

        Assert.Equal(RepositoryConvention.ToolVersion, manifest.GetProperty("mlops.cli").GetProperty("version").GetString());
        Assert.Equal("mlops", manifest.GetProperty("mlops.cli").GetProperty("commands")[0].GetString());
        Assert.Equal(ours.GetProperty("cake.tool").GetProperty("version").GetString(), manifest.GetProperty("cake.tool").GetProperty("version").GetString());
        Assert.DoesNotContain('+', RepositoryConvention.ToolVersion);
    }

    [Theory]
    [InlineData("build/pipeline.cake")]
    [InlineData("cake.config")]
    [InlineData("global.json")]
    [InlineData(".gitattributes")]
    [InlineData(".gitignore")]
    [InlineData(".github/CODEOWNERS")]
    [InlineData(".github/scripts/mlops-ci.js")]
    public void Convention_SharedFile_IsThisRepositorysOwnCopy(string path) =>
        Assert.Equal(File.ReadAllBytes(RepositoryRoot.Combine(path.Split('/'))), RepositoryConvention.Files().Single(f => f.Path == path).Content);

    [Fact]
    public void Convention_Github_HoldsEveryFileOfThisRepositorysGithubFolder()
    {
        var ours = Directory.EnumerateFiles(RepositoryRoot.Combine(".github"), "*", SearchOption.AllDirectories)
            .Select(f => ".github/" + Path.GetRelativePath(RepositoryRoot.Combine(".github"), f).Replace('\\', '/')).Order(StringComparer.Ordinal);

        Assert.Equal(ours, RepositoryConvention.Files().Where(f => f.Path.StartsWith(".github/", StringComparison.Ordinal)).Select(f => f.Path));
    }

    [Theory]
    [InlineData("merge.yml")]
    [InlineData("monitor.yml")]
    [InlineData("pull-request.yml")]
    public async Task Convention_Workflow_RunsTheToolFromTheManifestAndPassesActionValidator(string name)
    {
        using var repo = new TempDirectory("mlops-init");
        await CliRunner.SucceedAsync("init", "--repo", repo.Path);
        var text = repo.Read($".github/workflows/{name}");

        foreach (var source in new[] { "artifacts/mlops-cli", ".ci/run", "dotnet build", "--target=Build", "src/" })
        {
            Assert.DoesNotContain(source, text, StringComparison.Ordinal);
        }

        Assert.Contains("  MLOPS: mlops # ", text, StringComparison.Ordinal);
        Assert.False(!ActionValidator.Available && ActionValidator.Required, ActionValidator.Missing);
        Assert.SkipUnless(ActionValidator.Available, ActionValidator.Missing);
        var (exitCode, output) = await ToolProcess.RunAsync(ActionValidator.InstalledPath, [repo.Combine($".github/workflows/{name}")], TestContext.Current.CancellationToken, workingDirectory: repo.Path);
        Assert.True(exitCode == 0, $"action-validator found errors in the adopted {name}:\n{output}");
    }

    [Fact]
    public void WorkflowAdaptation_WorkflowNoLongerHoldingTheText_FailsNamingTheFileAndTheText()
    {
        var error = Assert.Throws<InvalidOperationException>(() => WorkflowAdaptation.Adapt(".github/workflows/merge.yml", "name: merge\n"));

        Assert.Equal(".github/workflows/merge.yml no longer contains 'MLOPS: artifacts/mlops-cli/Release/mlops.dll', which mlops init replaces for an adopting repository. Update Commands/Init/WorkflowAdaptation.cs with the workflow.", error.Message);
    }
}
