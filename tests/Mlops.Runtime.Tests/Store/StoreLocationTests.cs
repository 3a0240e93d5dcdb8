using System.ComponentModel.DataAnnotations;
using Mlops.Runtime.Store;

namespace Mlops.Runtime.Tests.Store;

public sealed class StoreLocationTests
{
    private static readonly string s_root = Path.Combine(Path.GetTempPath(), "mlops-repository");

    private static string? NoEnvironment(string name) => null;

    [Fact]
    public void Resolve_NothingSet_IsTheStoreFolderUnderTheRepository()
    {
        var location = StoreLocation.Resolve(s_root, null, NoEnvironment);

        Assert.Equal(new FolderStoreLocation(Path.Combine(s_root, ".mlops", "store")), location);
    }

    [Fact]
    public void Resolve_EnvironmentVariableSet_UsesIt()
    {
        var location = StoreLocation.Resolve(s_root, null, name => name == "MLOPS_STORE" ? "s3://bundles" : null);

        Assert.Equal(new S3StoreLocation("bundles", "", null, "us-east-1"), location);
    }

    [Fact]
    public void Resolve_ExplicitValueAndEnvironmentVariable_ExplicitWins()
    {
        var location = StoreLocation.Resolve(s_root, "shared/store", _ => "s3://bundles");

        Assert.Equal(new FolderStoreLocation(Path.Combine(s_root, "shared", "store")), location);
    }

    [Fact]
    public void Resolve_BadEnvironmentVariable_SaysWhereTheValueCameFrom()
    {
        var error = Assert.Throws<ArgumentException>(() => StoreLocation.Resolve(s_root, null, _ => "ftp://host/store"));

        Assert.StartsWith("store location 'ftp://host/store' (from MLOPS_STORE) is not valid: the scheme 'ftp' is not a store", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/srv/mlops/store", "/srv/mlops/store")]
    [InlineData(".mlops/store", "{root}/.mlops/store")]
    [InlineData("../shared-store/", "{parent}/shared-store/")]
    public void Parse_FolderPath_IsAFullPathFromTheRepositoryRoot(string value, string expected)
    {
        var location = StoreLocation.Parse(value, s_root);

        var path = expected.Replace("{root}", s_root, StringComparison.Ordinal).Replace("{parent}", Path.GetDirectoryName(s_root), StringComparison.Ordinal);
        Assert.Equal(new FolderStoreLocation(Path.GetFullPath(path)), location);
    }

    [Theory]
    [InlineData("s3://bundles", "bundles", "", null, "us-east-1")]
    [InlineData("s3://bundles/", "bundles", "", null, "us-east-1")]
    [InlineData("s3://bundles/team/models/", "bundles", "team/models", null, "us-east-1")]
    [InlineData("s3://bundles/p?endpoint=http://127.0.0.1:9000&region=eu-west-1", "bundles", "p", "http://127.0.0.1:9000/", "eu-west-1")]
    [InlineData("s3://my.bundles?endpoint=https%3A%2F%2Fminio.internal%3A9000", "my.bundles", "", "https://minio.internal:9000/", "us-east-1")]
    public void Parse_S3Url_ReadsBucketPrefixEndpointAndRegion(string value, string bucket, string prefix, string? endpoint, string region)
    {
        var location = StoreLocation.Parse(value, s_root);

        Assert.Equal(new S3StoreLocation(bucket, prefix, endpoint is null ? null : new Uri(endpoint), region), location);
    }

    [Fact]
    public void ToString_S3Location_RoundTripsThroughParse()
    {
        var location = StoreLocation.Parse("s3://bundles/team?region=eu-west-1&endpoint=http://127.0.0.1:9000", s_root);

        Assert.Equal("s3://bundles/team?endpoint=http://127.0.0.1:9000&region=eu-west-1", location.ToString());
        Assert.Equal(location, StoreLocation.Parse(location.ToString(), s_root));
    }

    [Theory]
    [InlineData("s3://", "bucket '' is not an S3 bucket name")]
    [InlineData("s3://Bundles", "bucket 'Bundles' is not an S3 bucket name")]
    [InlineData("s3://b_x", "bucket 'b_x' is not an S3 bucket name")]
    [InlineData("s3://bundles/a//b", "prefix 'a//b' has an empty, '.' or '..' segment")]
    [InlineData("s3://bundles/../b", "prefix '../b' has an empty, '.' or '..' segment")]
    [InlineData("s3://bundles?endpoint=127.0.0.1:9000", "endpoint '127.0.0.1:9000' is not an http or https address")]
    [InlineData("s3://bundles?endpoint=ftp://host", "endpoint 'ftp://host/' is not an http or https address")]
    [InlineData("s3://bundles?endpoint=http://host:9000/path", "endpoint 'http://host:9000/path' is not an http or https address")]
    [InlineData("s3://bundles?region=", "region '' is not a region name")]
    [InlineData("s3://bundles?accessKey=abc", "the parameter 'accessKey' is unknown (the parameters are endpoint and region; credentials come from AWS_ACCESS_KEY_ID")]
    [InlineData("s3://bundles?region=us-east-1&region=eu-west-1", "the parameter 'region' is given twice")]
    [InlineData("http://host/store", "the scheme 'http' is not a store")]
    [InlineData("  ", "it is empty")]
    public void Parse_BadLocation_ThrowsNamingTheProblemAndTheAcceptedForms(string value, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => StoreLocation.Parse(value, s_root));

        Assert.StartsWith($"store location '{value}' is not valid: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "Use a folder path, absolute or relative to the repository root (the default is .mlops/store), "
            + "or s3://BUCKET[/PREFIX][?endpoint=http://HOST:PORT&region=REGION]. (Parameter 'value')",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOne()
    {
        var error = Assert.Throws<ArgumentException>(() => StoreLocation.Parse("s3://B?endpoint=x&colour=red", s_root));

        Assert.Contains("the parameter 'colour' is unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("endpoint 'x' is not an http or https address", error.Message, StringComparison.Ordinal);
        Assert.Contains("bucket 'B' is not an S3 bucket name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_FolderLocation_IsALocalFolderStoreThere()
    {
        var store = BundleStoreFactory.Create(StoreLocation.Parse("store", s_root));

        var local = Assert.IsType<LocalFolderStore>(store);
        Assert.Equal(Path.Combine(s_root, "store"), local.Root);
        Assert.False(Directory.Exists(local.Root));
    }

    [Fact]
    public void Create_S3Location_IsAnS3StoreNamedByItsUrl()
    {
        using var store = Assert.IsType<S3BundleStore>(BundleStoreFactory.Create(s_root, "s3://bundles/team?endpoint=http://127.0.0.1:9"));

        Assert.Equal("bundles", store.Bucket);
        Assert.Equal("team", store.Prefix);
        Assert.Equal("s3://bundles/team?endpoint=http://127.0.0.1:9", store.Location);
    }

    [Fact]
    public void S3BundleStore_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new S3BundleStoreOptions { Bucket = "x", Region = "", AccessKeyId = "id" };

        var error = Assert.Throws<ValidationException>(() => new S3BundleStore(options));

        Assert.Equal(
            """
            The S3 store options are invalid:
            - bucket 'x' is not an S3 bucket name: use 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.
            - region '' is not a region name such as 'us-east-1'.
            - AccessKeyId and SecretAccessKey go together: set both, or neither to use the AWS environment variables.
            """.ReplaceLineEndings(),
            error.Message);
    }
}
