using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Store;

public sealed class LocalFolderStoreTests : IDisposable
{
    private const string EmptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly TempDirectory _folder = new("mlops-store");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LocalFolderStore Store => new(_folder.Combine(".mlops/store"));

    [Fact]
    public async Task PutAsync_NewContent_ReturnsSha256AndStoresItUnderTheShardedPath()
    {
        var bytes = TestContent.Bytes(1);
        var expected = TestContent.DigestOf(bytes);

        var digest = await Store.PutAsync(new MemoryStream(bytes), Ct);

        Assert.Equal(expected, digest);
        var hex = expected["sha256:".Length..];
        Assert.Equal(bytes, await File.ReadAllBytesAsync(_folder.Combine($".mlops/store/sha256/{hex[..2]}/{hex[2..]}"), Ct));
        Assert.Equal(Store.GetObjectPath(digest), _folder.Combine($".mlops/store/sha256/{hex[..2]}/{hex[2..]}"));
    }

    [Fact]
    public async Task PutAsync_EmptyContent_ReturnsTheDigestOfNoBytes()
    {
        Assert.Equal(EmptyDigest, await Store.PutAsync(new MemoryStream(), Ct));
        Assert.True(await Store.ExistsAsync(EmptyDigest, Ct));
    }

    [Fact]
    public async Task PutAsync_NewStoreFolder_KeepsTheStoreOutOfGit()
    {
        await Store.PutAsync(new MemoryStream(TestContent.Bytes(2, 10)), Ct);

        Assert.Equal("# Written by mlops: the bundle store, not for git.\n*\n", _folder.Read(".mlops/store/.gitignore"));
    }

    [Fact]
    public async Task PutAsync_SameContentTwice_ReturnsTheSameDigestAndLeavesOneObject()
    {
        var bytes = TestContent.Bytes(3);

        var first = await Store.PutAsync(new MemoryStream(bytes), Ct);
        var second = await Store.PutAsync(new MemoryStream(bytes), Ct);

        Assert.Equal(first, second);
        Assert.Equal([Store.GetObjectPath(first)], ObjectFiles());
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task PutAsync_ObjectAlreadyIntact_DoesNotRewriteIt()
    {
        var bytes = TestContent.Bytes(4);
        var digest = await Store.PutAsync(new MemoryStream(bytes), Ct);
        var written = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Store.GetObjectPath(digest), written);

        await Store.PutAsync(new MemoryStream(bytes), Ct);

        Assert.Equal(written, File.GetLastWriteTimeUtc(Store.GetObjectPath(digest)));
    }

    [Fact]
    public async Task PutAsync_ObjectAlreadyCorrupt_ReplacesItWithTheGoodBytes()
    {
        var bytes = TestContent.Bytes(5);
        var digest = await Store.PutAsync(new MemoryStream(bytes), Ct);
        await File.WriteAllBytesAsync(Store.GetObjectPath(digest), TestContent.Bytes(6), Ct);

        await Store.PutAsync(new MemoryStream(bytes), Ct);

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Store.GetObjectPath(digest), Ct));
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task PutAsync_SourceFailsHalfway_LeavesNoObjectAndNoTemporaryFile()
    {
        var bytes = TestContent.Bytes(7);

        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync(new OneWayStream(bytes, failAfter: bytes.Length / 2), Ct));

        Assert.Empty(ObjectFiles());
        Assert.Empty(TemporaryFiles());
        Assert.False(await Store.ExistsAsync(TestContent.DigestOf(bytes), Ct));
    }

    [Fact]
    public async Task PutAsync_CancelledMidWrite_LeavesNoObjectAndNoTemporaryFile()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var bytes = TestContent.Bytes(8);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Store.PutAsync(new OneWayStream(bytes, onFirstRead: cancel.Cancel), cancel.Token));

        Assert.Empty(ObjectFiles());
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task PutAsync_NonSeekableSource_StoresEveryByte()
    {
        var bytes = TestContent.Bytes(9);

        var digest = await Store.PutAsync(new OneWayStream(bytes), Ct);

        Assert.Equal(TestContent.DigestOf(bytes), digest);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Store.GetObjectPath(digest), Ct));
    }

    [Fact]
    public async Task PutAsync_ConcurrentWritesOfTheSameContent_AllSucceedWithOneIntactObject()
    {
        var bytes = TestContent.Bytes(10, 2_000_000);

        var digests = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.PutAsync(new MemoryStream(bytes), Ct), Ct)));

        Assert.All(digests, d => Assert.Equal(TestContent.DigestOf(bytes), d));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Store.GetObjectPath(digests[0]), Ct));
        Assert.Single(ObjectFiles());
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public async Task ExistsAsync_StoredAndMissingDigests_AnswersEach()
    {
        var digest = await Store.PutAsync(new MemoryStream(TestContent.Bytes(11)), Ct);

        Assert.True(await Store.ExistsAsync(digest, Ct));
        Assert.False(await Store.ExistsAsync(TestContent.DigestOf(TestContent.Bytes(12)), Ct));
    }

    [Fact]
    public async Task CopyToAsync_StoredObject_CopiesItsBytes()
    {
        var bytes = TestContent.Bytes(13);
        var digest = await Store.PutAsync(new MemoryStream(bytes), Ct);
        using var destination = new MemoryStream();

        await Store.CopyToAsync(digest, destination, Ct);

        Assert.Equal(bytes, destination.ToArray());
    }

    [Fact]
    public async Task CopyToAsync_MissingDigest_ThrowsNotFoundNamingDigestAndStore()
    {
        var digest = TestContent.DigestOf(TestContent.Bytes(14));

        var error = await Assert.ThrowsAsync<BundleNotFoundException>(() => Store.CopyToAsync(digest, Stream.Null, Ct));

        Assert.Equal(digest, error.Digest);
        Assert.Equal(
            $"bundle {digest} is not in the store at {Store.Root}. Package and push it again (mlops package), or correct the digest.",
            error.Message);
    }

    [Fact]
    public async Task CopyToAsync_TamperedObject_ThrowsCorruptAndWritesNothingToTheDestination()
    {
        var digest = await Store.PutAsync(new MemoryStream(TestContent.Bytes(15)), Ct);
        var tampered = TestContent.Bytes(15);
        tampered[1000] ^= 0x01;
        await File.WriteAllBytesAsync(Store.GetObjectPath(digest), tampered, Ct);
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<BundleCorruptException>(() => Store.CopyToAsync(digest, destination, Ct));

        Assert.Equal(digest, error.Digest);
        Assert.Equal(TestContent.DigestOf(tampered), error.Actual);
        Assert.Contains($"in the store at {Store.Root} is corrupt", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task CopyToAsync_TruncatedObject_ThrowsCorrupt()
    {
        var bytes = TestContent.Bytes(16);
        var digest = await Store.PutAsync(new MemoryStream(bytes), Ct);
        await File.WriteAllBytesAsync(Store.GetObjectPath(digest), bytes[..^1], Ct);

        await Assert.ThrowsAsync<BundleCorruptException>(() => Store.CopyToAsync(digest, Stream.Null, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ")]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:../../../../etc/passwd000000000000000000000000000000000000000000")]
    public async Task ExistsAndCopyTo_MalformedDigest_ThrowArgumentExceptionQuotingIt(string digest)
    {
        var exists = await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(digest, Ct));
        var copy = await Assert.ThrowsAsync<ArgumentException>(() => Store.CopyToAsync(digest, Stream.Null, Ct));

        Assert.Equal("digest", exists.ParamName);
        Assert.Equal(
            $"'{digest}' is not a bundle digest: a digest is 'sha256:' followed by 64 lowercase hexadecimal digits (the form mlops package prints). "
            + "Copy the digest from the package output or the environment file. (Parameter 'digest')",
            copy.Message);
    }

    public void Dispose() => _folder.Dispose();

    private string[] ObjectFiles()
    {
        var folder = _folder.Combine(".mlops/store/sha256");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    private string[] TemporaryFiles()
    {
        var folder = _folder.Combine(".mlops/store/tmp");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }
}
