using System.Text.RegularExpressions;
using Mlops.Cli.Commands.Render;
using Mlops.Pipeline.Deployment;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Render;

public sealed class RenderKubernetesCommandTests : IDisposable
{
    private const string Remote = "https://git.example.com/acme/models.git";
    private const string Store = "s3://mlops-bundles/churn?region=eu-west-1";
    private const string Image = "registry.example.com/acme/mlops-server:1.4.2";

    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The committed snapshots (tests/Mlops.Cli.Tests/Commands/Render/Kubernetes/Snapshots/MODE).</summary>
    private static string SnapshotFolder(string mode) => RepositoryRoot.Combine("tests", "Mlops.Cli.Tests", "Commands", "Render", "Kubernetes", "Snapshots", mode);

    private async Task<string> RenderAsync(string folder, params string[] extra)
    {
        var output = _repo.Combine(folder);
        await CliRunner.SucceedAsync(["render", "k8s", "--environment", "production", "--repo", _repo.Path, "--git-remote", Remote, "--store", Store, "--image", Image, "--output", output, .. extra]);
        return output;
    }

    private static void RequireValidator()
    {
        Assert.False(!KubernetesValidator.Available && KubernetesValidator.Required, KubernetesValidator.Missing);
        Assert.SkipUnless(KubernetesValidator.Available, KubernetesValidator.Missing);
    }

    [Theory]
    [InlineData("deployment", "ConfigMap Deployment HorizontalPodAutoscaler PodDisruptionBudget Service")]
    [InlineData("kserve", "ConfigMap InferenceService ServingRuntime")]
    public async Task RenderK8s_Example_EveryObjectPassesTheSchemaOfItsKind(string mode, string kinds)
    {
        RequireValidator();
        var folder = await RenderAsync(mode, mode == "kserve" ? ["--kserve"] : []);
        var files = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList();

        var (exit, output) = await KubernetesValidator.RunAsync(files, Ct);

        Assert.True(exit == 0, output);
        var validated = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[^1]).Order(StringComparer.Ordinal);
        Assert.Equal(kinds, string.Join(' ', validated));
    }

    [Fact]
    public async Task Docs_ArgoCdApplication_IsValidAndPointsAtTheDefaultRenderedFolder()
    {
        RequireValidator();
        var docs = await File.ReadAllTextAsync(RepositoryRoot.Combine("docs", "kubernetes.md"), Ct);
        var application = Regex.Matches(docs, "```yaml\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).Single(b => b.Contains("kind: Application", StringComparison.Ordinal));
        var file = _repo.Write("argocd/application.yaml", application);
        var broken = _repo.Write("argocd/broken.yaml", application.Replace("prune: true", "prune: maybe", StringComparison.Ordinal));

        var (exit, output) = await KubernetesValidator.RunAsync([file], Ct);
        var (brokenExit, brokenOutput) = await KubernetesValidator.RunAsync([broken], Ct);

        Assert.True(exit == 0, output);
        Assert.Equal(1, brokenExit);
        Assert.Contains("prune must be boolean", brokenOutput, StringComparison.Ordinal);
        await CliRunner.SucceedAsync("render", "k8s", "--environment", "production", "--repo", _repo.Path, "--git-remote", Remote, "--store", Store);
        var path = Regex.Match(application, "path: (\\S+)").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(_repo.Path, path, "deployment.yaml")), $"the Application's path '{path}' is not where render k8s writes");
    }

    [Theory]
    [InlineData("deployment.yaml", "port: 8080", "port: [8080]", "httpGet/port must be integer")]
    [InlineData("hpa.yaml", "minReplicas: 2", "minReplicas: two", "minReplicas must be integer")]
    [InlineData("kserve/kserve-servingruntime.yaml", "containerPort: 8080", "containerPort: [8080]", "containerPort must be integer")]
    [InlineData("kserve/kserve-inferenceservice.yaml", "protocolVersion: v2", "protocolVersion: v3", "protocolVersion must be v1, v2 or grpc-v2")]
    public async Task Validator_BrokenObject_IsRejectedNamingTheField(string file, string from, string to, string expected)
    {
        RequireValidator();
        await RenderAsync("k8s");
        await RenderAsync("k8s/kserve", "--kserve");
        _repo.Replace("k8s/" + file, from, to);

        var (exit, output) = await KubernetesValidator.RunAsync([_repo.Combine("k8s/" + file)], Ct);

        Assert.Equal(1, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deployment")]
    [InlineData("kserve")]
    public async Task RenderK8s_FixedInputs_MatchTheSnapshotsByteForByte(string mode)
    {
        var folder = await RenderAsync(mode, mode == "kserve" ? ["--kserve", "--namespace", "ml-serving"] : ["--namespace", "ml-serving"]);
        var snapshots = SnapshotFolder(mode);
        var update = Environment.GetEnvironmentVariable("MLOPS_UPDATE_SNAPSHOTS") == "1";
        var rendered = Directory.GetFiles(folder, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var differences = new List<string>();
        foreach (var name in rendered)
        {
            var actual = await File.ReadAllBytesAsync(Path.Combine(folder, name!), Ct);
            var snapshot = Path.Combine(snapshots, name!);
            if (File.Exists(snapshot) && (await File.ReadAllBytesAsync(snapshot, Ct)).SequenceEqual(actual))
            {
                continue;
            }

            Directory.CreateDirectory(snapshots);
            await File.WriteAllBytesAsync(update ? snapshot : Path.ChangeExtension(snapshot, ".received.yaml"), actual, Ct);
            differences.Add(name!);
        }

        var missing = Directory.Exists(snapshots)
            ? Directory.GetFiles(snapshots, "*.yaml").Select(Path.GetFileName).Where(f => !f!.EndsWith(".received.yaml", StringComparison.Ordinal) && !rendered.Contains(f)).ToList()
            : [];
        Assert.True(update || (differences.Count == 0 && missing.Count == 0),
            $"the rendering differs from the snapshots in {snapshots}: {string.Join(", ", differences)}{(missing.Count > 0 ? $"; no longer rendered: {string.Join(", ", missing)}" : "")}. "
            + "Each new rendering is written beside its snapshot as NAME.received.yaml: compare them, and if the change is intended run the test again with MLOPS_UPDATE_SNAPSHOTS=1 to accept it (then delete the .received.yaml files and commit).");
    }

    [Fact]
    public async Task RenderK8s_SameInputs_SameBytes()
    {
        var first = await RenderAsync("a");
        var second = await RenderAsync("b");

        foreach (var file in Directory.GetFiles(first))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file, Ct), await File.ReadAllBytesAsync(Path.Combine(second, Path.GetFileName(file)), Ct));
        }

        Assert.Equal(5, Directory.GetFiles(second).Length);
    }

    [Fact]
    public async Task RenderK8s_ChangedSettings_ChangeThePodTemplatesConfigDigest()
    {
        var main = await File.ReadAllTextAsync(Path.Combine(await RenderAsync("main"), "deployment.yaml"), Ct);
        var release = await File.ReadAllTextAsync(Path.Combine(await RenderAsync("release", "--branch", "release"), "deployment.yaml"), Ct);

        static string Digest(string deployment) => deployment.Split('\n').Single(l => l.Contains("mlops/config-digest", StringComparison.Ordinal));
        Assert.StartsWith("        mlops/config-digest: \"sha256:", Digest(main), StringComparison.Ordinal);
        Assert.NotEqual(Digest(main), Digest(release));
    }

    [Fact]
    public async Task RenderK8s_DefaultFolder_IsDeployK8sEnvironment()
    {
        var result = await CliRunner.SucceedAsync("render", "k8s", "--environment", "staging", "--repo", _repo.Path, "--git-remote", Remote, "--store", Store);

        Assert.True(File.Exists(_repo.Combine("deploy/k8s/staging/deployment.yaml")), result.Out);
        Assert.Contains($"image: \"{RenderKubernetesCommand.DefaultImage}\"", _repo.Read("deploy/k8s/staging/deployment.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderK8s_CredentialsInTheEnvironmentAndTheRemote_AreNeverWritten()
    {
        Git.InitAndCommit(_repo.Path);
        Git.Run(_repo.Path, "remote", "add", "origin", "https://deploy-bot:remote-password-1f3a@git.example.com/acme/models.git");
        var secrets = new Dictionary<string, string?>
        {
            ["MLOPS_GIT_TOKEN"] = "git-token-value-7c21",
            ["GITHUB_TOKEN"] = "github-token-value-0b9e",
            ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEKEY4242",
            ["AWS_SECRET_ACCESS_KEY"] = "aws-secret-value-5d6f",
            ["AWS_SESSION_TOKEN"] = "aws-session-value-88aa",
            ["MLOPS_ADMIN_TOKEN"] = "admin-token-value-31c4",
            ["Mlops__AdminToken"] = "admin-setting-value-9e0d",
            ["Mlops__InferenceToken"] = "inference-token-value-aa17",
            ["Mlops__Ui__ViewerToken"] = "viewer-token-value-63b2",
            ["MLOPS_STORE"] = Store,
        };
        var output = _repo.Combine("out");

        using var process = DotNetProcess.Start(typeof(MlopsApp).Assembly.Location, ["render", "k8s", "--environment", "production", "--repo", _repo.Path, "--output", output], _repo.Path, secrets);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.True(exit == 0, process.Error + process.Out);
        var text = string.Concat(Directory.GetFiles(output).Order(StringComparer.Ordinal).Select(File.ReadAllText));
        foreach (var (name, value) in secrets.Where(s => s.Key != "MLOPS_STORE"))
        {
            Assert.False(text.Contains(value!, StringComparison.Ordinal), $"the value of {name} was written into a manifest");
        }

        Assert.DoesNotContain("remote-password-1f3a", text, StringComparison.Ordinal);
        Assert.DoesNotContain("deploy-bot", text, StringComparison.Ordinal);
        Assert.Contains("Mlops__GitUrl: \"https://git.example.com/acme/models.git\"", text, StringComparison.Ordinal);
        Assert.Contains($"Mlops__Store: \"{Store}\"", text, StringComparison.Ordinal);
        Assert.Contains("left out of the manifests", process.Error, StringComparison.Ordinal);
        foreach (var key in KubernetesSecretKeys.All)
        {
            Assert.Contains($"- name: {key.Variable}\n              valueFrom:\n                secretKeyRef:\n                  name: mlops-production-secrets\n                  key: {key.Key}\n", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RenderK8s_NoRemoteAndNoOption_SaysToPassGitRemote()
    {
        var result = await CliRunner.RunAsync("render", "k8s", "--environment", "production", "--repo", _repo.Path, "--store", Store);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("is not in a git repository, so the remote the replicas follow is unknown. Pass its https URL with --git-remote URL", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_repo.Combine("deploy")));
    }

    [Fact]
    public async Task RenderK8s_SshOrigin_FollowsItsHttpsForm()
    {
        Git.InitAndCommit(_repo.Path);
        Git.Run(_repo.Path, "remote", "add", "origin", "git@github.com:acme/models.git");

        var result = await CliRunner.SucceedAsync("render", "k8s", "--environment", "staging", "--repo", _repo.Path, "--store", Store);

        Assert.Contains("Mlops__GitUrl: \"https://github.com/acme/models.git\"", _repo.Read("deploy/k8s/staging/configmap.yaml"), StringComparison.Ordinal);
        Assert.Contains("is an SSH remote, which the server cannot reach; the replicas follow https://github.com/acme/models.git", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderK8s_FolderStoreAndBadOptions_ReportsEveryProblemAndWritesNothing()
    {
        var result = await CliRunner.RunAsync("render", "k8s", "--environment", "staging", "--repo", _repo.Path, "--git-remote", Remote,
            "--store", ".mlops/store", "--min-replicas", "3", "--max-replicas", "2", "--memory", "lots", "--name", "Churn_Prod", "--secret", "my secrets", "--target-cpu", "150");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("the store '.mlops/store' is a folder, which replicas on other machines cannot share: pass an S3 store every replica reaches with --store s3://BUCKET/PREFIX", result.Error, StringComparison.Ordinal);
        Assert.Contains("--min-replicas 3 and --max-replicas 2 do not make a range", result.Error, StringComparison.Ordinal);
        Assert.Contains("--memory 'lots' is not a memory quantity: write it as 512Mi or 1Gi.", result.Error, StringComparison.Ordinal);
        Assert.Contains("the name 'Churn_Prod' is not a Kubernetes object name", result.Error, StringComparison.Ordinal);
        Assert.Contains("--secret 'my secrets' is not a Secret name", result.Error, StringComparison.Ordinal);
        Assert.Contains("--target-cpu 150 is not a percentage of the CPU request: give 1 to 100.", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_repo.Combine("deploy")));
    }

    [Fact]
    public async Task RenderK8s_UnknownEnvironment_NamesTheDeclaredOnes()
    {
        var result = await CliRunner.RunAsync("render", "k8s", "--environment", "prod", "--repo", _repo.Path, "--git-remote", Remote, "--store", Store);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("environment 'prod' is not declared in environments/ (declared: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderK8s_KServeOverAnEarlierRendering_RemovesItsStaleFilesAndKeepsTheUsers()
    {
        var folder = await RenderAsync("deploy");
        _repo.Write("deploy/kustomization.yaml", "resources: []\n");

        var result = await CliRunner.SucceedAsync("render", "k8s", "--environment", "production", "--repo", _repo.Path, "--git-remote", Remote, "--store", Store, "--output", folder, "--kserve");

        Assert.Equal(
            ["configmap.yaml", "kserve-inferenceservice.yaml", "kserve-servingruntime.yaml", "kustomization.yaml"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("removed deployment.yaml, which this rendering no longer has", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderK8s_Probes_UseTheServersHealthRoutesAndPort()
    {
        var folder = await RenderAsync("probes");
        var deployment = await File.ReadAllTextAsync(Path.Combine(folder, "deployment.yaml"), Ct);

        Assert.Contains("readinessProbe:\n            httpGet:\n              path: \"/v2/health/ready\"\n              port: 8080\n", deployment, StringComparison.Ordinal);
        Assert.Contains("livenessProbe:\n            httpGet:\n              path: \"/v2/health/live\"\n              port: 8080\n", deployment, StringComparison.Ordinal);
        Assert.Contains("containerPort: 8080\n", deployment, StringComparison.Ordinal);
        Assert.Contains("readOnlyRootFilesystem: true\n", deployment, StringComparison.Ordinal);
        Assert.Contains("runAsNonRoot: true\n", deployment, StringComparison.Ordinal);
        Assert.Contains("ASPNETCORE_HTTP_PORTS: \"8080\"", await File.ReadAllTextAsync(Path.Combine(folder, "configmap.yaml"), Ct), StringComparison.Ordinal);
    }
}
