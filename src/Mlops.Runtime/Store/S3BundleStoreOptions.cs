using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;

namespace Mlops.Runtime.Store;

/// <summary>Where an <see cref="S3BundleStore"/> keeps its objects and how it signs in.</summary>
/// <remarks>
/// The credentials are taken from <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/> when both are set;
/// otherwise from the AWS SDK's usual chain, which reads the environment variables <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c> first, then the shared credentials file
/// (<c>AWS_PROFILE</c>), then a container or instance role.
/// </remarks>
public sealed class S3BundleStoreOptions
{
    /// <summary>The region used when none is given.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>The bucket. It must exist: the store does not create it. Required.</summary>
    public string Bucket { get; set; } = string.Empty;

    /// <summary>
    /// The key prefix under which the objects live, without leading or trailing slashes; an object's key is
    /// <c>&lt;prefix&gt;/sha256/&lt;64 hex&gt;</c>. The default value is empty: keys start with <c>sha256/</c>.
    /// </summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>
    /// The endpoint of an S3-compatible store (MinIO, Ceph, moto, ...), for example <c>http://127.0.0.1:9000</c>;
    /// requests then use path-style addressing. The default value is null: Amazon S3 in <see cref="Region"/>.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The region requests are signed for. The default value is <c>us-east-1</c>.</summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>An explicit access key id; set it with <see cref="SecretAccessKey"/>. The default value is null: the SDK's credential chain.</summary>
    public string? AccessKeyId { get; set; }

    /// <summary>The secret key that goes with <see cref="AccessKeyId"/>. The default value is null.</summary>
    public string? SecretAccessKey { get; set; }

    /// <summary>A session token for temporary explicit credentials. The default value is null.</summary>
    public string? SessionToken { get; set; }

    /// <summary>The <c>s3://</c> form of these options, without credentials, as <see cref="StoreLocation"/> parses it.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("s3://").Append(Bucket);
        var prefix = (Prefix ?? string.Empty).Trim('/');
        if (prefix.Length > 0)
        {
            text.Append('/').Append(prefix);
        }

        var separator = '?';
        if (Endpoint is not null)
        {
            text.Append(separator).Append("endpoint=").Append(Endpoint.GetLeftPart(UriPartial.Authority));
            separator = '&';
        }

        if (!string.Equals(Region, DefaultRegion, StringComparison.Ordinal))
        {
            text.Append(separator).Append("region=").Append(Region);
        }

        return text.ToString();
    }

    /// <summary>Checks every setting and reports all the problems in one exception.</summary>
    /// <exception cref="ValidationException">A setting is invalid; the message lists each problem.</exception>
    public void Validate()
    {
        var problems = GetProblems();
        if (problems.Count > 0)
        {
            throw new ValidationException(
                $"The S3 store options are invalid:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "- " + p)));
        }
    }

    /// <summary>Every problem with the settings, one sentence each; empty when they are valid.</summary>
    internal List<string> GetProblems()
    {
        var problems = new List<string>();
        if (!IsBucketName(Bucket))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"bucket '{Bucket}' is not an S3 bucket name: use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."));
        }

        var prefix = (Prefix ?? string.Empty).Trim('/');
        if (prefix.Length > 0 && prefix.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            problems.Add($"prefix '{Prefix}' has an empty, '.' or '..' segment: use names separated by single slashes, such as 'team/bundles'.");
        }

        if (Endpoint is not null
            && (!Endpoint.IsAbsoluteUri || Endpoint.Scheme is not ("http" or "https") || Endpoint.AbsolutePath != "/" || Endpoint.Query.Length > 0))
        {
            problems.Add($"endpoint '{Endpoint}' is not an http or https address without a path, such as 'http://127.0.0.1:9000'.");
        }

        if (string.IsNullOrWhiteSpace(Region) || !Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add($"region '{Region}' is not a region name such as 'us-east-1'.");
        }

        if (string.IsNullOrEmpty(AccessKeyId) != string.IsNullOrEmpty(SecretAccessKey))
        {
            problems.Add("AccessKeyId and SecretAccessKey go together: set both, or neither to use the AWS environment variables.");
        }

        if (!string.IsNullOrEmpty(SessionToken) && string.IsNullOrEmpty(AccessKeyId))
        {
            problems.Add("SessionToken needs AccessKeyId and SecretAccessKey.");
        }

        return problems;
    }

    private static bool IsBucketName(string? name) =>
        name is { Length: >= 3 and <= 63 }
        && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
        && (char.IsAsciiLetterLower(name[^1]) || char.IsAsciiDigit(name[^1]))
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-');
}
