using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Store;

/// <summary>The S3 store when nothing answers at its endpoint: a port on 127.0.0.1 that was just freed.</summary>
public sealed class S3BundleStoreUnreachableTests
{
    [Fact(Timeout = 60_000)]
    public async Task ExistsAsync_EndpointNotAnswering_ThrowsStoreErrorNamingTheStore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new S3BundleStore(new S3BundleStoreOptions
        {
            Bucket = "bundles",
            Endpoint = new Uri($"http://127.0.0.1:{HeldPort.Closed()}"),
            AccessKeyId = "test",
            SecretAccessKey = "test",
        });

        var error = await Assert.ThrowsAsync<BundleStoreException>(() => store.ExistsAsync(TestContent.DigestOf([1, 2, 3]), ct));

        Assert.StartsWith($"the S3 store at {store.Location} could not look up 'sha256/", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Check that the endpoint answers and that credentials are set (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).", error.Message, StringComparison.Ordinal);
    }
}
