namespace Mlops.Pipeline.Tracking;

/// <summary>
/// Where a repository's run store lives: an SQLite file (the default, <c>.mlops/tracking.db</c>), or a
/// PostgreSQL database named by a <c>postgresql://</c> URI or an Npgsql connection string (see
/// <see cref="PostgresLocation"/>), for several machines or CI jobs recording into one store.
/// </summary>
public static class TrackingLocation
{
    /// <summary>The environment variable that overrides the default location.</summary>
    public const string EnvironmentVariable = "MLOPS_TRACKING_DB";

    /// <summary>The default location, relative to the repository root.</summary>
    public const string DefaultRelativePath = ".mlops/tracking.db";

    /// <summary>What the <c>--tracking-db</c> options say they accept.</summary>
    public const string OptionDescription =
        $"The run store: an SQLite file, or a PostgreSQL database as a postgresql:// URI or an Npgsql connection string "
        + $"(password from PGPASSWORD or ~/.pgpass). Defaults to ${EnvironmentVariable}, else {DefaultRelativePath} under the repository root.";

    /// <summary>
    /// The run store of a repository: <paramref name="explicitPath"/> when given, else the
    /// <c>MLOPS_TRACKING_DB</c> environment variable when set, else <c>.mlops/tracking.db</c> under the root.
    /// A file path is made absolute relative to <paramref name="repositoryRoot"/>; a PostgreSQL
    /// location is returned as given.
    /// </summary>
    /// <param name="repositoryRoot">The repository root.</param>
    /// <param name="explicitPath">A path or PostgreSQL location given on the command line, or null.</param>
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

        return PostgresLocation.Matches(chosen) ? chosen.Trim() : Path.GetFullPath(Path.Combine(repositoryRoot, chosen));
    }

    /// <summary>Whether <paramref name="location"/> names a PostgreSQL database rather than an SQLite file.</summary>
    /// <param name="location">A location from <see cref="Resolve"/>.</param>
    public static bool IsPostgreSql(string location) => PostgresLocation.Matches(location);

    /// <summary>
    /// Whether a store may already hold runs there: the SQLite file exists, or it is a PostgreSQL database
    /// (whose tables opening creates when missing). Readers check it so that looking never creates a file.
    /// </summary>
    /// <param name="location">A location from <see cref="Resolve"/>.</param>
    public static bool MayExist(string location) => IsPostgreSql(location) || File.Exists(location);

    /// <summary>
    /// The location as it may be shown or logged: the file path, or for PostgreSQL
    /// <c>postgresql://user@host:port/database</c> without the password.
    /// </summary>
    /// <param name="location">A location from <see cref="Resolve"/>.</param>
    public static string Display(string location) =>
        IsPostgreSql(location) ? PostgresLocation.TryDisplay(location) : location;
}
