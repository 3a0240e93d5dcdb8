using System.IO.Compression;
using System.Text;
using Mlops.Declarations.Digests;
using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Tests.Bundles;

public sealed class BundleTests
{
    private static readonly byte[] s_model = Encoding.UTF8.GetBytes("model bytes");

    private static BundleManifest Manifest(IReadOnlyDictionary<string, string>? parameters = null) => new(
        BundleManifest.CurrentFormat,
        "churn",
        "binary-classification",
        "model.zip",
        "mlnet",
        Sha256Digest.Of(s_model),
        new BundleFeatureSet("customer", 1, "sha256:" + new string('a', 64)),
        [new BundleInput("tenure", "float", false, []), new BundleInput("contract", "category", false, ["Month-to-month", "One year"])],
        new BundleLabel("churn", "Yes"),
        new BundleTrainer("lbfgs", 42, parameters ?? new Dictionary<string, string> { ["l2"] = "1", ["iterations"] = "100" }),
        new BundleLineage("sha256:" + new string('b', 64), "sha256:" + new string('c', 64), "5.0.1"),
        new BundleMetrics(new Dictionary<string, double> { ["auc"] = 0.84, ["accuracy"] = 0.8 }, new Dictionary<string, IReadOnlyDictionary<string, double>>()));

    private static readonly Dictionary<string, byte[]> s_profile = new() { [Bundle.ProfileEntry] = Encoding.UTF8.GetBytes("{}") };

    [Fact]
    public void Write_SameInputs_GivesSameBytes()
    {
        var first = Bundle.Write(Manifest(), s_model, s_profile);
        var second = Bundle.Write(Manifest(), s_model, s_profile);

        Assert.Equal(Sha256Digest.Of(first), Sha256Digest.Of(second));
    }

    [Fact]
    public void Write_ParametersInAnotherOrder_GivesSameBytes()
    {
        var first = Bundle.Write(Manifest(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }), s_model, s_profile);
        var second = Bundle.Write(Manifest(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }), s_model, s_profile);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Write_DifferentMetric_GivesDifferentDigest()
    {
        var manifest = Manifest();
        var other = manifest with { Metrics = manifest.Metrics with { Overall = new Dictionary<string, double> { ["auc"] = 0.85, ["accuracy"] = 0.8 } } };

        Assert.NotEqual(Sha256Digest.Of(Bundle.Write(manifest, s_model, s_profile)), Sha256Digest.Of(Bundle.Write(other, s_model, s_profile)));
    }

    [Fact]
    public void Read_WrittenBundle_RoundTripsManifestAndEntries()
    {
        var bundle = Bundle.Read(Bundle.Write(Manifest(), s_model, s_profile));

        Assert.Equal("churn", bundle.Manifest.Model);
        Assert.Equal(["contract", "tenure"], bundle.Manifest.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0.84, bundle.Manifest.Metrics.Overall["auc"]);
        Assert.Equal(s_model, bundle.ModelBytes);
        Assert.Equal([Bundle.ManifestEntry, "model.zip", Bundle.ProfileEntry], bundle.EntryNames);
    }

    [Fact]
    public void Write_ModelNotMatchingManifestDigest_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Bundle.Write(Manifest(), Encoding.UTF8.GetBytes("other"), s_profile));

        Assert.Contains("not the manifest's", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AlteredModelEntry_IsRefused()
    {
        var entries = new Dictionary<string, byte[]>
        {
            [Bundle.ManifestEntry] = Bundle.SerializeManifest(Manifest()),
            ["model.zip"] = Encoding.UTF8.GetBytes("tampered"),
        };

        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(DeterministicZip.Write(entries)));

        Assert.Contains("the bundle was altered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotAZip_IsRefusedWithAReason()
    {
        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(Encoding.UTF8.GetBytes("hello")));

        Assert.Contains("not a zip archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ZipWithoutManifest_IsRefused()
    {
        var zip = DeterministicZip.Write([new KeyValuePair<string, byte[]>("model.zip", s_model)]);

        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(zip));

        Assert.Contains("no manifest.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_EntriesCarryTheFixedTime()
    {
        using var archive = new ZipArchive(new MemoryStream(Bundle.Write(Manifest(), s_model, s_profile)), ZipArchiveMode.Read);

        Assert.All(archive.Entries, e => Assert.Equal(DeterministicZip.EntryTime.Year, e.LastWriteTime.Year));
    }
}
