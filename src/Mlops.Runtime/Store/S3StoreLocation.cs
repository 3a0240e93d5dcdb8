namespace Mlops.Runtime.Store;

/// <summary>A bundle store in an S3 bucket.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Prefix">The key prefix, without leading or trailing slashes; empty for none.</param>
/// <param name="Endpoint">The endpoint of an S3-compatible store, or null for Amazon S3.</param>
/// <param name="Region">The region requests are signed for.</param>
public sealed record S3StoreLocation(string Bucket, string Prefix, Uri? Endpoint, string Region) : StoreLocation
{
    /// <summary>The options of an <see cref="S3BundleStore"/> at this location; credentials from the AWS environment variables.</summary>
    public S3BundleStoreOptions ToOptions() => new()
    {
        Bucket = Bucket,
        Prefix = Prefix,
        Endpoint = Endpoint,
        Region = Region,
    };

    /// <summary>Creates an <see cref="S3BundleStore"/> at this location; dispose it when done.</summary>
    public override IBundleStore CreateStore() => new S3BundleStore(ToOptions());

    /// <inheritdoc/>
    public override StoreLocation ForData() => this with { Prefix = Prefix.Length == 0 ? DataObjectStore.Folder : $"{Prefix}/{DataObjectStore.Folder}" };

    /// <summary>The <c>s3://</c> form, as <see cref="StoreLocation.Parse"/> reads it.</summary>
    public override string ToString() => ToOptions().ToString();
}
