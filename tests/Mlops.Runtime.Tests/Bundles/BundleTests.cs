using System.IO.Compression;
using System.Text;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Digests;
using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Tests.Bundles;

public sealed class BundleTests
{
    private static readonly byte[] s_model = Encoding.UTF8.GetBytes("model bytes");

    private static BundleManifest Manifest(IReadOnlyDictionary<string, string>? parameters = null) => new(
        BundleManifest.CurrentFormat,
        "churn",
        ModelTask.BinaryClassification,
        "model.zip",
        ModelFormat.MlNet,
        Sha256Digest.Of(s_model),
        new BundleFeatureSet("customer", 1, "sha256:" + new string('a', 64)),
        [new BundleInput("tenure", FeatureType.Float, false, []) { Min = 0, OnUnknown = UnknownCategoryPolicy.Reject }, new BundleInput("contract", FeatureType.Category, false, ["Month-to-month", "One year"]) { OnUnknown = UnknownCategoryPolicy.Ignore }],
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

    [Fact]
    public void Read_ManifestEnums_AreWrittenByTheirDeclarationNamesAndReadBack()
    {
        var bytes = Bundle.Write(Manifest(), s_model, s_profile);
        var manifest = Encoding.UTF8.GetString(Bundle.SerializeManifest(Manifest()));

        var read = Bundle.Read(bytes).Manifest;

        Assert.Contains("\"task\": \"binary-classification\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"modelFormat\": \"mlnet\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"category\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"onUnknown\": \"ignore\"", manifest, StringComparison.Ordinal);
        Assert.Equal((ModelTask.BinaryClassification, ModelFormat.MlNet), (read.Task, read.ModelFormat));
        Assert.Equal([FeatureType.Float, FeatureType.Category], read.Inputs.Select(i => i.Type));
        Assert.Equal((0d, UnknownCategoryPolicy.Ignore), (read.Inputs[0].Min, read.Inputs[1].OnUnknown));
    }

    [Theory]
    [InlineData("\"type\": \"category\"", "\"type\": \"vector\"", "$.inputs[1].type")]
    [InlineData("\"task\": \"binary-classification\"", "\"task\": \"ranking\"", "$.task")]
    [InlineData("\"modelFormat\": \"mlnet\"", "\"modelFormat\": \"pmml\"", "$.modelFormat")]
    public void Read_UnknownEnumName_IsRefusedNamingTheField(string from, string to, string field)
    {
        var manifest = Encoding.UTF8.GetString(Bundle.SerializeManifest(Manifest())).Replace(from, to, StringComparison.Ordinal);
        var bytes = DeterministicZip.Write(new Dictionary<string, byte[]>
        {
            [Bundle.ManifestEntry] = Encoding.UTF8.GetBytes(manifest),
            ["model.zip"] = s_model,
        });

        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(bytes));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains(to.Split('"')[3], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sensitive_IsWrittenOnlyForSensitiveInputs_AndReadBack()
    {
        var plain = Encoding.UTF8.GetString(Bundle.SerializeManifest(Manifest()));
        var marked = Manifest() with { Inputs = [.. Manifest().Inputs.Select(i => i.Name == "contract" ? i with { Sensitive = FeatureSensitivity.Hash } : i)] };

        var read = Bundle.Read(Bundle.Write(marked, s_model, s_profile)).Manifest;

        Assert.DoesNotContain("sensitive", plain, StringComparison.Ordinal); // bundles without sensitive features keep their bytes
        Assert.Contains("\"sensitive\": \"hash\"", Encoding.UTF8.GetString(Bundle.SerializeManifest(marked)), StringComparison.Ordinal);
        Assert.Equal([null, FeatureSensitivity.Hash], read.Inputs.Select(i => i.Sensitive));
    }

    [Fact]
    public void Sensitive_UnknownName_IsRefusedNamingTheField()
    {
        var marked = Manifest() with { Inputs = [.. Manifest().Inputs.Select(i => i.Name == "contract" ? i with { Sensitive = FeatureSensitivity.Drop } : i)] };
        var manifest = Encoding.UTF8.GetString(Bundle.SerializeManifest(marked)).Replace("\"sensitive\": \"drop\"", "\"sensitive\": \"blur\"", StringComparison.Ordinal);
        var bytes = DeterministicZip.Write(new Dictionary<string, byte[]> { [Bundle.ManifestEntry] = Encoding.UTF8.GetBytes(manifest), ["model.zip"] = s_model });

        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(bytes));

        Assert.Contains("$.inputs[1].sensitive", error.Message, StringComparison.Ordinal);
        Assert.Contains("blur", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_TakesTheStricterOfBundleAndFeatureSet()
    {
        var inputs = Manifest().Inputs.Select(i => i.Name == "contract" ? i with { Sensitive = FeatureSensitivity.Hash } : i).ToList();
        var featureSet = new FeatureSet("customer", 1, null, null,
        [
            new Feature("tenure", FeatureType.Float, false, 0, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null) { Sensitive = FeatureSensitivity.Hash },
            new Feature("contract", FeatureType.Category, false, null, null, ["Month-to-month", "One year"], FillStrategy.None, UnknownCategoryPolicy.Ignore, FeatureSource.Data, null) { Sensitive = FeatureSensitivity.Drop },
        ]);

        Assert.Equal([FeatureSensitivity.None, FeatureSensitivity.Hash], new Mlops.Runtime.Features.InputSchema(inputs).Inputs.Select(i => i.Sensitivity));
        Assert.Equal([FeatureSensitivity.Hash, FeatureSensitivity.Drop], new Mlops.Runtime.Features.InputSchema(inputs, featureSet).Inputs.Select(i => i.Sensitivity));
    }

    private static readonly byte[] s_graph = Encoding.UTF8.GetBytes("onnx graph bytes");

    private static BundleManifest WithOnnx(BundleManifest manifest, byte[] graph) => manifest with
    {
        Onnx = new BundleOnnx("model.onnx", Sha256Digest.Of(graph), "Microsoft.ML.OnnxConverter 0.23.1", "Probability.output", 1387, 1.2e-7, 1e-5),
    };

    [Fact]
    public void Read_BundleWithoutOnnx_LoadsWithNoExportAndWritesNoOnnxField()
    {
        var bytes = Bundle.Write(Manifest(), s_model, s_profile);
        var bundle = Bundle.Read(bytes);

        Assert.Null(bundle.Manifest.Onnx);
        Assert.Null(bundle.OnnxBytes);
        Assert.DoesNotContain("onnx", Encoding.UTF8.GetString(bundle.Entry(Bundle.ManifestEntry)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Read_BundleWithOnnx_RoundTripsTheExportAndItsCheck()
    {
        var entries = new Dictionary<string, byte[]>(s_profile) { ["model.onnx"] = s_graph };
        var bundle = Bundle.Read(Bundle.Write(WithOnnx(Manifest(), s_graph), s_model, entries));

        Assert.Equal(s_graph, bundle.OnnxBytes);
        Assert.Equal(1387, bundle.Manifest.Onnx!.RowsCompared);
        Assert.Equal(1.2e-7, bundle.Manifest.Onnx.MaxAbsoluteDifference);
        Assert.Equal(1e-5, bundle.Manifest.Onnx.Tolerance);
        Assert.Equal("Probability.output", bundle.Manifest.Onnx.Output);
    }

    [Fact]
    public void Read_AlteredOnnxEntry_IsRefused()
    {
        var entries = new Dictionary<string, byte[]>(s_profile) { ["model.onnx"] = Encoding.UTF8.GetBytes("altered") };

        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(Bundle.Write(WithOnnx(Manifest(), s_graph), s_model, entries)));

        Assert.Contains("ONNX entry", error.Message, StringComparison.Ordinal);
        Assert.Contains("altered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ManifestNamingAMissingOnnxEntry_IsRefused()
    {
        var error = Assert.Throws<BundleFormatException>(() => Bundle.Read(Bundle.Write(WithOnnx(Manifest(), s_graph), s_model, s_profile)));

        Assert.Contains("lacks its ONNX entry 'model.onnx'", error.Message, StringComparison.Ordinal);
    }
}
