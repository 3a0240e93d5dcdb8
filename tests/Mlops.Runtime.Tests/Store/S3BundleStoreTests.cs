using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Runtime.Store;

namespace Mlops.Runtime.Tests.Store;

/// <summary>The S3 store against a real S3 endpoint on loopback (moto_server); each test is bounded in time.</summary>
public sealed class S3BundleStoreTests(MotoServerFixture moto) : IClassFixture<MotoServerFixture>
{
    private const int Timeout = 60_000;

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_NewContent_ReturnsSha256AndStoresItUnderThePrefixedKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-new");
        var bytes = TestContent.Bytes(101);

        var digest = await store.PutAsync(new MemoryStream(bytes), ct);

        Assert.Equal(TestContent.DigestOf(bytes), digest);
        Assert.Equal("put-new/sha256/" + digest["sha256:".Length..], store.GetObjectKey(digest));
        Assert.Equal(bytes, await ReadRawAsync(store.GetObjectKey(digest)));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_NonSeekableSource_SpoolsAndStoresEveryByte()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-one-way");
        var bytes = TestContent.Bytes(102);

        var digest = await store.PutAsync(new OneWayStream(bytes), ct);

        Assert.Equal(TestContent.DigestOf(bytes), digest);
        Assert.Equal(bytes, await ReadRawAsync(store.GetObjectKey(digest)));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_SourceFailsHalfway_LeavesNoObject()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-fails");
        var bytes = TestContent.Bytes(103);

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(new OneWayStream(bytes, failAfter: bytes.Length / 2), ct));

        var listing = await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = MotoServerFixture.Bucket, Prefix = "put-fails/" }, ct);
        Assert.Empty(listing.S3Objects ?? []);
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_SameContentTwice_ReturnsTheSameDigest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-twice");
        var bytes = TestContent.Bytes(104);

        var first = await store.PutAsync(new MemoryStream(bytes), ct);
        var second = await store.PutAsync(new MemoryStream(bytes), ct);

        Assert.Equal(first, second);
        Assert.Equal(bytes, await ReadRawAsync(store.GetObjectKey(first)));
    }

    [Fact(Timeout = Timeout)]
    public async Task Endpoint_ConditionalPutOfAnExistingKey_AnswersPreconditionFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        // The store's atomicity argument rests on this: check the endpoint under test really does compare-and-swap.
        var key = "conditional/sha256/probe";
        await moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = MotoServerFixture.Bucket, Key = key, ContentBody = "first", IfNoneMatch = "*" }, ct);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => moto.Client.PutObjectAsync(
            new PutObjectRequest { BucketName = MotoServerFixture.Bucket, Key = key, ContentBody = "second", IfNoneMatch = "*" }, ct));

        Assert.Equal(HttpStatusCode.PreconditionFailed, error.StatusCode);
        Assert.Equal("first"u8.ToArray(), await ReadRawAsync(key));
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_ObjectAlreadyIntact_DoesNotOverwriteIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-present");
        var bytes = TestContent.Bytes(105);
        var key = store.GetObjectKey(TestContent.DigestOf(bytes));
        // The same bytes, put behind the store's back with a marker that an overwrite would drop.
        var original = new PutObjectRequest { BucketName = MotoServerFixture.Bucket, Key = key, InputStream = new MemoryStream(bytes) };
        original.Metadata.Add("marker", "original");
        await moto.Client.PutObjectAsync(original, ct);

        var digest = await store.PutAsync(new MemoryStream(bytes), ct);

        Assert.Equal(TestContent.DigestOf(bytes), digest);
        var metadata = await moto.Client.GetObjectMetadataAsync(MotoServerFixture.Bucket, key, ct);
        Assert.Equal("original", metadata.Metadata["marker"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_ObjectAlreadyCorrupt_ReplacesItWithTheGoodBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("put-repair");
        var bytes = TestContent.Bytes(106);
        var key = store.GetObjectKey(TestContent.DigestOf(bytes));
        await WriteRawAsync(key, TestContent.Bytes(107));

        var digest = await store.PutAsync(new MemoryStream(bytes), ct);

        using var copy = new MemoryStream();
        await store.CopyToAsync(digest, copy, ct);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact(Timeout = Timeout)]
    public async Task ExistsAsync_StoredAndMissingDigests_AnswersEach()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("exists");
        var digest = await store.PutAsync(new MemoryStream(TestContent.Bytes(108)), ct);

        Assert.True(await store.ExistsAsync(digest, ct));
        Assert.False(await store.ExistsAsync(TestContent.DigestOf(TestContent.Bytes(109)), ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task ExistsAsync_ObjectUnderAnotherPrefix_IsNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        using var one = moto.CreateStore("prefix-one");
        using var other = moto.CreateStore("prefix-two");
        var digest = await one.PutAsync(new MemoryStream(TestContent.Bytes(110)), ct);

        Assert.False(await other.ExistsAsync(digest, ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task CopyToAsync_StoredObject_CopiesItsBytes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("copy");
        var bytes = TestContent.Bytes(111);
        var digest = await store.PutAsync(new MemoryStream(bytes), ct);
        using var destination = new MemoryStream();

        await store.CopyToAsync(digest, destination, ct);

        Assert.Equal(bytes, destination.ToArray());
    }

    [Fact(Timeout = Timeout)]
    public async Task CopyToAsync_MissingDigest_ThrowsNotFoundNamingDigestAndStore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("copy-missing");
        var digest = TestContent.DigestOf(TestContent.Bytes(112));

        var error = await Assert.ThrowsAsync<BundleNotFoundException>(() => store.CopyToAsync(digest, Stream.Null, ct));

        Assert.Equal(digest, error.Digest);
        Assert.Equal(
            $"bundle {digest} is not in the store at s3://{MotoServerFixture.Bucket}/copy-missing?endpoint={moto.Endpoint.GetLeftPart(UriPartial.Authority)}. "
            + "Package and push it again (mlops package), or correct the digest.",
            error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task CopyToAsync_TamperedObject_ThrowsCorruptAndWritesNothingToTheDestination()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("copy-tampered");
        var digest = await store.PutAsync(new MemoryStream(TestContent.Bytes(113)), ct);
        var tampered = TestContent.Bytes(114);
        await WriteRawAsync(store.GetObjectKey(digest), tampered);
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<BundleCorruptException>(() => store.CopyToAsync(digest, destination, ct));

        Assert.Equal(digest, error.Digest);
        Assert.Equal(TestContent.DigestOf(tampered), error.Actual);
        Assert.Equal(0, destination.Length);
    }

    [Fact(Timeout = Timeout)]
    public async Task CopyToAsync_MissingBucket_ThrowsStoreErrorNamingTheBucket()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("anything", bucket: "no-such-bucket");

        var error = await Assert.ThrowsAsync<BundleStoreException>(
            () => store.CopyToAsync(TestContent.DigestOf(TestContent.Bytes(115)), Stream.Null, ct));

        Assert.Contains("has no bucket 'no-such-bucket'. Create the bucket, or correct the store location", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task PutAsync_MissingBucket_ThrowsStoreErrorNamingTheBucket()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("anything", bucket: "no-such-bucket");

        var error = await Assert.ThrowsAsync<BundleStoreException>(() => store.PutAsync(new MemoryStream(TestContent.Bytes(116)), ct));

        Assert.Contains("has no bucket 'no-such-bucket'", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Timeout)]
    public async Task ExistsAsync_MalformedDigest_ThrowsArgumentExceptionBeforeAnyRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = moto.CreateStore("malformed");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync("sha256:abc", ct));

        Assert.StartsWith("'sha256:abc' is not a bundle digest", error.Message, StringComparison.Ordinal);
    }

    private async Task<byte[]> ReadRawAsync(string key)
    {
        using var response = await moto.Client.GetObjectAsync(MotoServerFixture.Bucket, key, TestContext.Current.CancellationToken);
        using var bytes = new MemoryStream();
        await response.ResponseStream.CopyToAsync(bytes, TestContext.Current.CancellationToken);
        return bytes.ToArray();
    }

    private Task WriteRawAsync(string key, byte[] bytes) =>
        moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = MotoServerFixture.Bucket, Key = key, InputStream = new MemoryStream(bytes) }, TestContext.Current.CancellationToken);
}
