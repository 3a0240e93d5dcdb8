namespace Mlops.Testing;

/// <summary>Whether this test run is CI's: under <c>CI=true</c>, .ci/run has installed every tool the tests use, so a missing tool fails a test instead of skipping it.</summary>
public static class CiRun
{
    /// <summary>True under <c>CI=true</c>.</summary>
    public static bool ToolsRequired => Environment.GetEnvironmentVariable("CI") == "true";
}
