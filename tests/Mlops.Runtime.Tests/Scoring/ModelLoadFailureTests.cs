using System.IO.Compression;
using System.Text;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>
/// A model this host cannot load says which component or assembly it needs, not a reflection message.
/// The models are the tiny churn model with one component header edited, as a model saved with a
/// component this host lacks would be: the loader signature, or the assembly the header names.
/// </summary>
public sealed class ModelLoadFailureTests
{
    private const string ReflectionMessage = "target of an invocation";
    private const string StandardTrainers = "Microsoft.ML.StandardTrainers";

    // Same length as "Microsoft.ML.StandardTrainers", so the header's offsets stay right.
    private const string AbsentAssembly = "Microsoft.ML.AbsentTrainers00";

    [Fact]
    public void ReadComponents_SavedModel_ListsEachComponentWithItsLoaderAndAssembly()
    {
        var components = ModelLoadFailure.ReadComponents(new MemoryStream(TestModels.Model));

        Assert.Contains(components, c => c.Entry == "TransformerChain" && c.LoaderSignature.Length > 0);
        var predictor = Assert.Single(components, c => c.Assembly == StandardTrainers);
        Assert.Equal("TransformerChain/Transform_003/Model/Predictor", predictor.Entry);
        Assert.All(components, c => Assert.NotNull(c.Assembly));
    }

    [Fact]
    public void Load_ComponentWithUnknownLoaderSignature_NamesTheComponentNotAReflectionMessage()
    {
        var predictor = Predictor();
        var model = Edit(TestModels.Model, predictor.Entry, header => Encoding.ASCII.GetBytes("NoSuchLoader".PadRight(24, '\0')).CopyTo(header, 0x50));

        var error = Assert.Throws<InvalidDataException>(() => ModelScorer.Load(new MemoryStream(model)));

        Assert.Contains($"its component 'NoSuchLoader' at {predictor.Entry} (from {StandardTrainers}) has a loader signature that no ML.NET assembly in this host knows", error.Message, StringComparison.Ordinal);
        Assert.Contains("retrain it with this mlops", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReflectionMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ComponentFromAnAssemblyThisHostLacks_NamesTheAssemblyAndTheComponent()
    {
        var predictor = Predictor();
        var model = WithAbsentAssembly(TestModels.Model, predictor);

        var error = Assert.Throws<InvalidDataException>(() => ModelScorer.Load(new MemoryStream(model)));

        Assert.Contains($"the model needs the ML.NET assembly '{AbsentAssembly}' (for component '{predictor.LoaderSignature}' at {predictor.Entry}), which this host does not have", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReflectionMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_StreamThatCannotSeek_StillNamesTheMissingAssembly()
    {
        var model = WithAbsentAssembly(TestModels.Model, Predictor());

        var error = Assert.Throws<InvalidDataException>(() => ModelScorer.Load(new ForwardOnlyStream(model)));

        Assert.Contains($"the model needs the ML.NET assembly '{AbsentAssembly}', which this host does not have", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScorersLoad_BundleNeedingAnAbsentAssembly_NamesTheModelAndTrainerFromTheManifest()
    {
        var model = WithAbsentAssembly(TestModels.Model, Predictor());
        var bundle = Bundle.Read(TestModels.Bundle(3, modelBytes: model));

        var error = Assert.Throws<InvalidDataException>(() => Scorers.Load(bundle));

        Assert.StartsWith("the bundle of 'churn' (trainer 'lbfgs', binary-classification, trained with ML.NET 5.0.1) cannot be loaded here: the model needs the ML.NET assembly 'Microsoft.ML.AbsentTrainers00'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BytesThatAreNoModel_SayTheyAreNoModel()
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelScorer.Load(new MemoryStream("not a zip"u8.ToArray())));

        Assert.StartsWith("the bytes are not an ML.NET model (a zip of the components MLContext.Model.Save writes): ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReflectionMessage, error.Message, StringComparison.Ordinal);
    }

    private static ModelComponent Predictor() =>
        ModelLoadFailure.ReadComponents(new MemoryStream(TestModels.Model)).Single(c => c.Assembly == StandardTrainers);

    private static byte[] WithAbsentAssembly(byte[] model, ModelComponent component) => Edit(model, component.Entry, header =>
    {
        var text = Encoding.Unicode.GetString(header);
        var at = text.IndexOf(StandardTrainers + ",", StringComparison.Ordinal);
        Assert.True(at > 0, $"{component.Entry} does not name {StandardTrainers}.");
        Encoding.Unicode.GetBytes(AbsentAssembly).CopyTo(header, at * 2);
    });

    /// <summary>Rewrites one component's Model.key in place (same length) and writes the zip again.</summary>
    private static byte[] Edit(byte[] model, string entry, Action<byte[]> edit)
    {
        using var archive = new ZipArchive(new MemoryStream(model), ZipArchiveMode.Read);
        var entries = DeterministicZip.ReadAll(archive);
        var index = entries.FindIndex(e => e.Key == entry + "/Model.key");
        Assert.True(index >= 0, $"the model has no {entry}/Model.key.");
        var bytes = entries[index].Value.ToArray();
        edit(bytes);
        entries[index] = new KeyValuePair<string, byte[]>(entries[index].Key, bytes);
        return DeterministicZip.Write(entries);
    }

    /// <summary>A stream read once from start to end, as from a network: the model cannot be read twice.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
