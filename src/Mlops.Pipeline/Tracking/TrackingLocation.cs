namespace Mlops.Pipeline.Tracking;

/// <summary>Where a repository's run store lives.</summary>
public static class TrackingLocation
{
    /// <summary>The environment variable that overrides the default location.</summary>
    public const string EnvironmentVariable = "MLOPS_TRACKING_DB";

    /// <summary>The default location, relative to the repository root.</summary>
    public const string DefaultRelativePath = ".mlops/tracking.db";

    /// <summary>
    /// The database file of a repository: <paramref name="explicitPath"/> when given, else the
    /// <c>MLOPS_TRACKING_DB</c> environment variable when set, else <c>.mlops/tracking.db</c> under the root.
    /// Relative paths are taken relative to <paramref name="repositoryRoot"/>.
    /// </summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <param name="explicitPath">A path given on the command line, or null.</param>
    public static string Resolve(string repositoryRoot, string? explicitPath = null)
    {
        var chosen = explicitPath;
        if (string.IsNullOrWhiteSpace(chosen))
        {
            chosen = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }

        if (string.IsNullOrWhiteSpace(chosen))
        {
            chosen = DefaultRelativePath;
        }

        return Path.GetFullPath(Path.Combine(repositoryRoot, chosen));
    }
}
