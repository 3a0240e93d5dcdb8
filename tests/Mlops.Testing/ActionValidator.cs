namespace Mlops.Testing;

/// <summary>
/// @action-validator/cli 0.6.0 (npm), which checks GitHub workflow files against GitHub's schema, their
/// expressions and their globs. .ci/run installs it into <c>artifacts/ci-tools</c>; a test skips where it is
/// missing, except under CI=true (<see cref="Required"/>), where a missing validator must fail the test.
/// </summary>
public static class ActionValidator
{
    /// <summary>The npm package and version .ci/run installs.</summary>
    public const string Package = "@action-validator/cli@0.6.0";

    /// <summary>True under CI=true: a test must fail, not skip, when the validator is missing.</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>What a test says when the validator is missing.</summary>
    public const string Missing = "action-validator is not installed (npm install --prefix artifacts/ci-tools " + Package + "; .ci/run installs it, and CI=true does not skip).";

    /// <summary>Where .ci/run installs it, under the checkout.</summary>
    public static string InstalledPath => RepositoryRoot.Combine("artifacts", "ci-tools", "node_modules", ".bin", "action-validator");

    /// <summary>Whether the validator is installed where .ci/run puts it.</summary>
    public static bool Available => File.Exists(InstalledPath);

    /// <summary>Runs the validator on one workflow file (from the checkout's root, against which it checks the file's globs); returns its exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string file, CancellationToken cancellationToken) =>
        ToolProcess.RunAsync(InstalledPath, [file], cancellationToken, workingDirectory: RepositoryRoot.Path);
}
