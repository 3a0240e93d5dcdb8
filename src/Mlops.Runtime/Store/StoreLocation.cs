using System.Diagnostics.CodeAnalysis;

namespace Mlops.Runtime.Store;

/// <summary>
/// Where a repository's bundle store is: a folder (<see cref="FolderStoreLocation"/>) or an S3 bucket
/// (<see cref="S3StoreLocation"/>), parsed from a location string.
/// </summary>
/// <remarks>
/// The accepted forms are a folder path, absolute or relative to the repository root (the default is
/// <c>.mlops/store</c>), and <c>s3://BUCKET[/PREFIX][?endpoint=URL][&amp;region=REGION]</c>, for example
/// <c>s3://mlops/bundles?endpoint=http://127.0.0.1:9000&amp;region=us-east-1</c>. Credentials never go in the
/// location: they come from the AWS environment variables (see <see cref="S3BundleStoreOptions"/>).
/// </remarks>
public abstract record StoreLocation
{
    /// <summary>The environment variable that overrides the default location.</summary>
    public const string EnvironmentVariable = "MLOPS_STORE";

    /// <summary>The default location, relative to the repository root.</summary>
    public const string DefaultValue = ".mlops/store";

    /// <summary>The accepted forms, as error messages state them.</summary>
    public const string AcceptedForms =
        "a folder path, absolute or relative to the repository root (the default is .mlops/store), "
        + "or s3://BUCKET[/PREFIX][?endpoint=http://HOST:PORT&region=REGION]";

    private const string S3Scheme = "s3://";

    private protected StoreLocation()
    {
    }

    /// <summary>
    /// The store location of a repository: <paramref name="explicitValue"/> when given (the CLI's <c>--store</c>),
    /// else the <c>MLOPS_STORE</c> environment variable when set, else <c>.mlops/store</c> under the root.
    /// </summary>
    /// <param name="repositoryRoot">The repository root; relative folder paths are taken relative to it.</param>
    /// <param name="explicitValue">A location given on the command line, or null.</param>
    /// <exception cref="ArgumentException">The chosen value is not a store location; the message quotes it, says where it came from and lists the accepted forms.</exception>
    public static StoreLocation Resolve(string repositoryRoot, string? explicitValue = null) =>
        Resolve(repositoryRoot, explicitValue, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Resolve(string, string?)"/>, reading environment variables through <paramref name="getEnvironmentVariable"/>.</summary>
    internal static StoreLocation Resolve(string repositoryRoot, string? explicitValue, Func<string, string?> getEnvironmentVariable)
    {
        if (!string.IsNullOrWhiteSpace(explicitValue))
        {
            return Parse(explicitValue, repositoryRoot, "--store");
        }

        var fromEnvironment = getEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? Parse(DefaultValue, repositoryRoot)
            : Parse(fromEnvironment, repositoryRoot, EnvironmentVariable);
    }

    /// <summary>Parses a location string.</summary>
    /// <param name="value">A folder path or an <c>s3://</c> URL.</param>
    /// <param name="repositoryRoot">The folder relative paths are taken relative to.</param>
    /// <param name="source">Where the value came from (<c>--store</c>, <c>MLOPS_STORE</c>), for the message; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a store location; the message lists every problem and the accepted forms.</exception>
    public static StoreLocation Parse(string value, string repositoryRoot, string? source = null)
    {
        if (TryParse(value, repositoryRoot, out var location, out var problems))
        {
            return location;
        }

        var from = source is null ? string.Empty : $" (from {source})";
        throw new ArgumentException(
            $"store location '{value}'{from} is not valid: {string.Join(" ", problems)} Use {AcceptedForms}.", nameof(value));
    }

    /// <summary>Parses a location string, returning every problem instead of throwing.</summary>
    /// <param name="value">A folder path or an <c>s3://</c> URL.</param>
    /// <param name="repositoryRoot">The folder relative paths are taken relative to.</param>
    /// <param name="location">The location, when the value is valid.</param>
    /// <param name="problems">One sentence per problem, when it is not.</param>
    public static bool TryParse(string? value, string repositoryRoot, [NotNullWhen(true)] out StoreLocation? location, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        location = null;
        var found = new List<string>();
        problems = found;
        var text = value?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            found.Add("it is empty.");
            return false;
        }

        if (text.StartsWith(S3Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var options = ParseS3(text, found);
            if (options is null || found.Count > 0)
            {
                return false;
            }

            location = new S3StoreLocation(options.Bucket, options.Prefix, options.Endpoint, options.Region);
            return true;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && text[..schemeEnd].All(char.IsAsciiLetterOrDigit))
        {
            found.Add($"the scheme '{text[..schemeEnd]}' is not a store (only s3:// URLs and folder paths are).");
            return false;
        }

        if (text.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            found.Add("it holds characters a path cannot hold.");
            return false;
        }

        location = new FolderStoreLocation(Path.GetFullPath(Path.Combine(repositoryRoot, text)));
        return true;
    }

    /// <summary>Creates the store this location names. An <see cref="S3BundleStore"/> should be disposed when done.</summary>
    public abstract IBundleStore CreateStore();

    /// <summary>
    /// Where the data files pushed with <c>mlops data push</c> live in this store: beside the bundles, under
    /// <see cref="DataObjectStore.Folder"/> (the folder <c>data/</c>, or the key prefix <c>PREFIX/data/</c>), so a data
    /// file and a bundle never share a name space and one store location serves both.
    /// </summary>
    public abstract StoreLocation ForData();

    private static S3BundleStoreOptions? ParseS3(string text, List<string> problems)
    {
        var rest = text[S3Scheme.Length..];
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? rest : rest[..queryStart];
        var query = queryStart < 0 ? string.Empty : rest[(queryStart + 1)..];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var options = new S3BundleStoreOptions
        {
            Bucket = slash < 0 ? path : path[..slash],
            Prefix = slash < 0 ? string.Empty : path[(slash + 1)..].TrimEnd('/'),
        };

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var parameter = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!seen.Add(name))
            {
                problems.Add($"the parameter '{name}' is given twice.");
                continue;
            }

            switch (name)
            {
                case "endpoint" when Uri.TryCreate(parameter, UriKind.Absolute, out var endpoint):
                    options.Endpoint = endpoint;
                    break;
                case "endpoint":
                    problems.Add($"endpoint '{parameter}' is not an http or https address without a path, such as 'http://127.0.0.1:9000'.");
                    break;
                case "region":
                    options.Region = parameter;
                    break;
                default:
                    problems.Add($"the parameter '{name}' is unknown (the parameters are endpoint and region; credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).");
                    break;
            }
        }

        problems.AddRange(options.GetProblems());
        return options;
    }
}
