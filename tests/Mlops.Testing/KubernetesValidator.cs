namespace Mlops.Testing;

/// <summary>
/// Checks rendered Kubernetes manifests against the schema of their kind with <c>Kubernetes/validate-k8s.mjs</c>
/// (node, and the npm packages kubernetes-models 5.1.0, @kubernetes-models/argo-cd 4.0.0 and yaml 2.9.1 that .ci/run installs into
/// <c>artifacts/ci-tools</c>). A test skips where they are missing, except under CI=true (<see cref="Required"/>).
/// </summary>
public static class KubernetesValidator
{
    /// <summary>The npm packages and versions .ci/run installs.</summary>
    public static readonly IReadOnlyList<string> Packages = ["kubernetes-models@5.1.0", "@kubernetes-models/argo-cd@4.0.0", "yaml@2.9.1"];

    /// <summary>True under CI=true: a test must fail, not skip, when the validator cannot run.</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>What a test says when the validator cannot run.</summary>
    public static string Missing => $"the Kubernetes schema validator needs node and the npm packages {string.Join(" ", Packages)} (npm install --prefix artifacts/ci-tools {string.Join(" ", Packages)}; .ci/run installs them, and CI=true does not skip).";

    /// <summary>Where .ci/run installs the packages.</summary>
    public static string NodeModules => RepositoryRoot.Combine("artifacts", "ci-tools", "node_modules");

    /// <summary>The script, committed beside this file.</summary>
    public static string Script => RepositoryRoot.Combine("tests", "Mlops.Testing", "Kubernetes", "validate-k8s.mjs");

    /// <summary>Whether node is on PATH and the packages are installed at the pinned versions.</summary>
    public static bool Available =>
        Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "node"))) == true
        && Packages.All(p =>
        {
            var at = p.LastIndexOf('@');
            var manifest = Path.Combine(NodeModules, p[..at], "package.json");
            return File.Exists(manifest) && File.ReadAllText(manifest).Contains($"\"version\": \"{p[(at + 1)..]}\"", StringComparison.Ordinal);
        });

    /// <summary>Validates the files: exit code 0 when every one is valid, and a line per file (<c>ok FILE KIND</c> or <c>invalid FILE: reasons</c>).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> files, CancellationToken cancellationToken) =>
        ToolProcess.RunAsync("node", [Script, NodeModules, .. files], cancellationToken);
}
