using System.Text;
using Mlops.Declarations.Digests;

namespace Mlops.Declarations.Tests.Digests;

public sealed class Sha256DigestTests
{
    // FIPS 180-2 test vectors.
    private const string Empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string TwoBlocks = "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    private const string TwoBlocksText = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("", Empty)]
    [InlineData("abc", Abc)]
    [InlineData(TwoBlocksText, TwoBlocks)]
    public void Of_KnownVectors_GivesTheStandardDigest(string text, string expected)
    {
        Assert.Equal(expected, Sha256Digest.Of(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(expected, Sha256Digest.OfText(text));
    }

    [Fact]
    public void OfText_NonAscii_HashesUtf8WithoutAByteOrderMark()
    {
        Assert.Equal(Sha256Digest.Of([0xC3, 0xA9]), Sha256Digest.OfText("é"));
    }

    [Fact]
    public async Task OfAsync_StreamLongerThanTheBuffer_EqualsTheDigestOfItsBytes()
    {
        var bytes = new byte[200_000];
        new Random(3).NextBytes(bytes);
        using var stream = new MemoryStream(bytes);
        stream.Position = 1_000;

        var digest = await Sha256Digest.OfAsync(stream, Ct);

        Assert.Equal(Sha256Digest.Of(bytes[1_000..]), digest);
    }

    [Fact]
    public async Task OfFileAsync_File_EqualsTheDigestOfItsBytes()
    {
        using var folder = new TempDirectory("mlops-digest");
        var path = folder.Write("data/abc.txt", "abc");

        Assert.Equal(Abc, await Sha256Digest.OfFileAsync(path, Ct));
    }

    [Fact]
    public async Task CopyAsync_CopiesEveryByteAndReturnsTheirDigest()
    {
        var bytes = new byte[100_000];
        new Random(5).NextBytes(bytes);
        using var destination = new MemoryStream();

        var digest = await Sha256Digest.CopyAsync(new MemoryStream(bytes), destination, Ct);

        Assert.Equal(bytes, destination.ToArray());
        Assert.Equal(Sha256Digest.Of(bytes), digest);
    }

    [Theory]
    [InlineData(Abc, true)]
    [InlineData(Empty, true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sha256:", false)]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", false)]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", false)]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag", false)]
    [InlineData(" sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", false)]
    [InlineData("md5:900150983cd24fb0d6963f7d28e17f72", false)]
    public void IsValid_WrittenForm_OnlyPrefixAnd64LowercaseHexDigits(string? digest, bool valid)
    {
        Assert.Equal(valid, Sha256Digest.IsValid(digest));
        Assert.Equal(valid, Sha256Digest.TryParse(digest, out _));
    }

    [Fact]
    public void TryParse_ValidDigest_GivesTheHashBytesThatFormatBack()
    {
        Assert.True(Sha256Digest.TryParse(Abc, out var hash));

        Assert.Equal(32, hash.Length);
        Assert.Equal(0xBA, hash[0]);
        Assert.Equal(0xAD, hash[31]);
        Assert.Equal(Abc, Sha256Digest.FromHash(hash));
    }

    [Fact]
    public void TryParse_InvalidDigest_GivesNoBytes()
    {
        Assert.False(Sha256Digest.TryParse("sha256:xyz", out var hash));

        Assert.Empty(hash);
    }

    [Fact]
    public void FromHash_NotThirtyTwoBytes_IsRefusedWithTheLength()
    {
        var error = Assert.Throws<ArgumentException>(() => Sha256Digest.FromHash(new byte[20]));

        Assert.Contains("32 bytes, not 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hex_ValidDigest_IsTheDigitsAfterThePrefix()
    {
        Assert.Equal(Abc["sha256:".Length..], Sha256Digest.Hex(Abc));
    }

    [Fact]
    public void Hex_InvalidDigest_QuotesItSaysTheFormAndNamesTheParameter()
    {
        var error = Assert.Throws<ArgumentException>(() => Sha256Digest.Hex("sha256:123", "pin"));

        Assert.Equal("pin", error.ParamName);
        Assert.StartsWith("'sha256:123' is not a digest: a digest is 'sha256:' followed by 64 lowercase hexadecimal digits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hex_InvalidDigestOfAKind_NamesTheKind()
    {
        var error = Assert.Throws<ArgumentException>(() => Sha256Digest.Hex("", kind: "bundle digest"));

        Assert.StartsWith("'' is not a bundle digest: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Abc, "sha256:ba7816bf8f01")]
    [InlineData("sha256:123", "sha256:123")]
    [InlineData("not a digest", "not a digest")]
    public void Short_Digest_KeepsTheFirstTwelveDigitsAndLeavesOtherTextAlone(string digest, string expected)
    {
        Assert.Equal(expected, Sha256Digest.Short(digest));
    }

    [Fact]
    public void Pattern_IsTheSchemasDigestPattern()
    {
        Assert.Equal(Sha256Digest.Pattern, Mlops.Declarations.Schema.DeclarationSchemas.DigestPattern);
        Assert.Matches($"^{Sha256Digest.Pattern}$", Abc);
    }
}
