using System.Security.Cryptography;
using Amazon.S3.Model;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Store;

/// <summary>Data files in the store (mlops data push / pull) on both backends: a folder, and S3 on moto_server.</summary>
public sealed class DataObjectStoreTests(MotoServerFixture moto) : IClassFixture<MotoServerFixture>, IDisposable
{
    private const int Timeout = 120_000;

    private readonly TempDirectory _folder = new("mlops-data-objects");


    private FolderStoreLocation FolderStore => new(_folder.Combine("store"));

    private S3StoreLocation S3Store(string prefix) => new(MotoServerFixture.Bucket, prefix, moto.Endpoint, "us-east-1");

    [Fact(Timeout = Timeout)]
    public async Task PushPull_FolderStore_64MegabyteFile_RoundTripsEveryByteUnderDataSha256()
    {
        var source = WriteRandomFile("big.csv", 64 << 20, seed: 1);
        var expected = await DigestOfFileAsync(source);
        using var store = new DataObjectStore(FolderStore);

        var digest = await store.PushAsync(source, TestContext.Current.CancellationToken);
        var pulled = _folder.Combine("out/big-again.csv");
        await store.PullAsync(digest, pulled, TestContext.Current.CancellationToken);

        Assert.Equal(expected, digest);
        var hex = digest["sha256:".Length..];
        Assert.True(File.Exists(_folder.Combine($"store/data/sha256/{hex[..2]}/{hex[2..]}")), "the object is not under store/data/sha256/");
        Assert.False(Directory.Exists(_folder.Combine("store/sha256")), "a data object landed among the bundles");
        Assert.Equal(new FileInfo(source).Length, new FileInfo(pulled).Length);
        Assert.Equal(expected, await DigestOfFileAsync(pulled));
        Assert.Equal(["big-again.csv"], Directory.EnumerateFileSystemEntries(_folder.Combine("out")).Select(Path.GetFileName));
    }

    [Fact(Timeout = Timeout)]
    public async Task PushPull_S3Store_RoundTripsUnderPrefixDataSha256()
    {
        var source = WriteRandomFile("s3.csv", 6 << 20, seed: 2);
        using var store = new DataObjectStore(S3Store("round-trip"));

        var digest = await store.PushAsync(source, TestContext.Current.CancellationToken);
        var pulled = _folder.Combine("pulled.csv");
        await store.PullAsync(digest, pulled, TestContext.Current.CancellationToken);

        Assert.Equal(await DigestOfFileAsync(source), digest);
        var key = "round-trip/data/sha256/" + digest["sha256:".Length..];
        using (var head = await moto.Client.GetObjectAsync(MotoServerFixture.Bucket, key, TestContext.Current.CancellationToken))
        {
            Assert.Equal(new FileInfo(source).Length, head.ContentLength);
        }

        Assert.Equal(await File.ReadAllBytesAsync(source, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(pulled, TestContext.Current.CancellationToken));
        Assert.Equal("s3://mlops-bundles/round-trip/data?endpoint=" + moto.Endpoint.GetLeftPart(UriPartial.Authority), store.Location);
    }

    [Fact(Timeout = Timeout)]
    public async Task Push_SameFileTwice_SameDigestAndOneObject_OnBothBackends()
    {
        var source = WriteRandomFile("twice.csv", 200_000, seed: 3);
        foreach (StoreLocation location in new StoreLocation[] { FolderStore, S3Store("twice") })
        {
            using var store = new DataObjectStore(location);
            var first = await store.PushAsync(source, TestContext.Current.CancellationToken);
            var second = await store.PushAsync(source, TestContext.Current.CancellationToken);
            Assert.Equal(first, second);
        }

        Assert.Single(Directory.EnumerateFiles(_folder.Combine("store/data/sha256"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(_folder.Combine("store/data/tmp")));
        var listing = await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = MotoServerFixture.Bucket, Prefix = "twice/" }, TestContext.Current.CancellationToken);
        Assert.Single(listing.S3Objects);
    }

    [Fact(Timeout = Timeout)]
    public async Task Pull_MissingObject_NamesDigestStoreAndPush_WritesNothing()
    {
        var digest = TestContent.DigestOf([1, 2, 3]);
        foreach (StoreLocation location in new StoreLocation[] { FolderStore, S3Store("missing") })
        {
            using var store = new DataObjectStore(location);
            var output = _folder.Combine("missing/out.csv");

            var error = await Assert.ThrowsAsync<DataObjectException>(() => store.PullAsync(digest, output, TestContext.Current.CancellationToken));

            Assert.Equal($"data {digest} is not in the store at {store.Location}. Push the file there with 'mlops data push FILE', or point --store (or MLOPS_STORE) at the store that holds it.", error.Message);
            Assert.Equal(digest, error.Digest);
            Assert.False(Directory.Exists(_folder.Combine("missing")) && Directory.EnumerateFileSystemEntries(_folder.Combine("missing")).Any(), "something was written for a missing object");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Pull_CorruptObject_IsRefusedWithItsDigest_PartialFileRemovedAndOldFileKept()
    {
        var source = WriteRandomFile("corrupt.csv", 500_000, seed: 4);
        var expected = await DigestOfFileAsync(source);
        var hex = expected["sha256:".Length..];
        foreach (var (location, tamper) in new (StoreLocation, Func<Task>)[]
        {
            (FolderStore, () => FlipAByteAsync(_folder.Combine($"store/data/sha256/{hex[..2]}/{hex[2..]}"))),
            (S3Store("corrupt"), () => moto.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = MotoServerFixture.Bucket,
                Key = "corrupt/data/sha256/" + hex,
                InputStream = new MemoryStream(TestContent.Bytes(5, 500_000)),
            }, TestContext.Current.CancellationToken)),
        })
        {
            using var store = new DataObjectStore(location);
            await store.PushAsync(source, TestContext.Current.CancellationToken);
            await tamper();
            var output = _folder.Combine("kept/data.csv");
            _folder.Write("kept/data.csv", "the file that was here before\n");

            var error = await Assert.ThrowsAsync<DataObjectException>(() => store.PullAsync(expected, output, TestContext.Current.CancellationToken));

            Assert.StartsWith($"data {expected} in the store at {store.Location} is corrupt: its bytes hash to sha256:", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("It was refused and nothing was written; push the original file again with 'mlops data push FILE'.", error.Message, StringComparison.Ordinal);
            Assert.Equal("the file that was here before\n", await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken));
            Assert.Equal(["data.csv"], Directory.EnumerateFileSystemEntries(_folder.Combine("kept")).Select(Path.GetFileName));
        }
    }

    [Fact]
    public async Task Pull_InvalidDigest_IsRefusedBeforeTheStoreIsAsked()
    {
        using var store = new DataObjectStore(FolderStore);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PullAsync("sha256:ABC", _folder.Combine("x.csv"), TestContext.Current.CancellationToken));

        Assert.Contains("'sha256:ABC' is not a data digest", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.Combine("x.csv")));
    }

    [Fact]
    public async Task Push_MissingFile_SaysWhichFile()
    {
        using var store = new DataObjectStore(FolderStore);

        var error = await Assert.ThrowsAsync<DataObjectException>(() => store.PushAsync(_folder.Combine("nope.csv"), TestContext.Current.CancellationToken));

        Assert.StartsWith($"cannot read '{_folder.Combine("nope.csv")}'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Pass the path of an existing data file.", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private string WriteRandomFile(string name, int length, int seed)
    {
        // Written in blocks: the test itself keeps memory flat too.
        var path = _folder.Combine(name);
        var random = new Random(seed);
        var block = new byte[1 << 20];
        using var file = File.Create(path);
        for (var left = length; left > 0; left -= block.Length)
        {
            random.NextBytes(block);
            file.Write(block, 0, Math.Min(left, block.Length));
        }

        return path;
    }

    private static async Task<string> DigestOfFileAsync(string path)
    {
        await using var file = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(file, TestContext.Current.CancellationToken));
    }

    private static async Task FlipAByteAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = file.Length / 2;
        var value = file.ReadByte();
        file.Position = file.Length / 2;
        file.WriteByte((byte)(value ^ 0xFF));
    }
}
