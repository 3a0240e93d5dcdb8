using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Scoring;

/// <summary>One component of a saved ML.NET model, as its entry's header names it.</summary>
/// <param name="Entry">The component's folder in the model zip, for example <c>TransformerChain/Transform_001/Model/Predictor</c>.</param>
/// <param name="LoaderSignature">The loader signature ML.NET looks the component's class up by, for example <c>LightGBMBinaryExec</c>.</param>
/// <param name="AssemblyName">The full name of the assembly holding that class, or null when the header names none.</param>
internal sealed record ModelComponent(string Entry, string LoaderSignature, string? AssemblyName)
{
    /// <summary>The assembly's simple name (<c>Microsoft.ML.LightGbm</c>), or null.</summary>
    public string? Assembly => AssemblyName is null ? null : ModelLoadFailure.SimpleName(AssemblyName);
}

/// <summary>
/// Turns what ML.NET throws while loading a model into a message that names what the model needs.
/// ML.NET reads each component's header, loads the assembly the header names and looks the loader
/// signature up among that assembly's loadable classes; the loaders run through reflection, so a
/// missing assembly or an unknown signature deep in the model surfaces as "Exception has been thrown
/// by the target of an invocation" or "Error during class instantiation". The component headers are
/// read here without ML.NET, so the message can name the component even when ML.NET cannot load it.
/// </summary>
internal static partial class ModelLoadFailure
{
    private const int HeaderSize = 0x100;
    private const ulong HeaderSignature = 0x4C45444F4D004C4DUL; // "ML\0MODEL", little endian
    private const string ComponentFile = "Model.key";

    /// <summary>Whether ML.NET threw this while loading (anything but cancellation and running out of memory).</summary>
    public static bool IsLoadFailure(Exception error) => error is not (OperationCanceledException or OutOfMemoryException);

    /// <summary>The error to throw for a model ML.NET could not load.</summary>
    /// <param name="error">What ML.NET threw.</param>
    /// <param name="model">The model zip again, positioned at its start, to name the component; null when the stream cannot be read twice.</param>
    public static InvalidDataException Describe(Exception error, Stream? model)
    {
        var components = model is null ? [] : ReadComponents(model);
        var chain = Chain(error).ToList();
        var cause = chain[^1];

        if (chain.OfType<IOException>().Select(FileNameOf).FirstOrDefault(n => n is not null) is { } missingName)
        {
            var assembly = SimpleName(missingName);
            var component = components.FirstOrDefault(c => string.Equals(c.Assembly, assembly, StringComparison.OrdinalIgnoreCase));
            var where = component is null ? "" : $" (for component '{component.LoaderSignature}' at {component.Entry})";
            return new InvalidDataException(
                $"the model needs the ML.NET assembly '{assembly}'{where}, which this host does not have. Serve it with a host that references the NuGet package holding '{assembly}' (mlops and Mlops.Server carry every trainer of docs/training.md), or retrain the model with one of those trainers.",
                error);
        }

        if (chain.Select(e => UnloadableEntry().Match(e.Message)).LastOrDefault(m => m.Success) is { } unloadable)
        {
            var entry = unloadable.Groups[1].Value.Replace('\\', '/');
            var component = components.FirstOrDefault(c => c.Entry == entry);
            var what = component is null
                ? $"its component at {entry}"
                : $"its component '{component.LoaderSignature}' at {entry}" + (component.Assembly is null ? "" : $" (from {component.Assembly})");
            return new InvalidDataException(
                $"the model cannot be loaded: {what} has a loader signature that no ML.NET assembly in this host knows (ML.NET {MlNetVersion}). The model was saved by another ML.NET version or with a component this host lacks: retrain it with this mlops, or serve it with the ML.NET version that saved it.",
                error);
        }

        return model is not null && components.Count == 0
            ? new InvalidDataException($"the bytes are not an ML.NET model (a zip of the components MLContext.Model.Save writes): {cause.Message}", error)
            : new InvalidDataException($"the stream is not a loadable ML.NET model: {cause.Message}", error);
    }

    /// <summary>The model stream back at <paramref name="start"/>, to be read again; null when it cannot seek (start is -1) or is closed.</summary>
    public static Stream? Rewind(Stream model, long start)
    {
        if (start < 0 || !model.CanSeek)
        {
            return null;
        }

        try
        {
            model.Position = start;
            return model;
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Every component header in a model zip; an entry that is not a readable header is left out.</summary>
    public static IReadOnlyList<ModelComponent> ReadComponents(Stream model)
    {
        List<KeyValuePair<string, byte[]>> entries;
        try
        {
            using var archive = new ZipArchive(model, ZipArchiveMode.Read, leaveOpen: true);
            entries = DeterministicZip.ReadAll(archive);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            // Not a zip (or not one this can read): there are no components to name.
            return [];
        }

        var components = new List<ModelComponent>();
        foreach (var (name, bytes) in entries)
        {
            var path = name.Replace('\\', '/');
            if ((path == ComponentFile || path.EndsWith("/" + ComponentFile, StringComparison.Ordinal)) && ReadHeader(path[..Math.Max(0, path.Length - ComponentFile.Length - 1)], bytes) is { } component)
            {
                components.Add(component);
            }
        }

        return components;
    }

    /// <summary>An assembly's simple name from its display name (<c>Microsoft.ML.LightGbm, Version=1.0.0.0, ...</c>); the text itself if it is not one.</summary>
    public static string SimpleName(string displayName)
    {
        try
        {
            return new AssemblyName(displayName).Name ?? displayName;
        }
        catch (Exception e) when (e is FileLoadException or ArgumentException)
        {
            return displayName;
        }
    }

    private static string MlNetVersion => typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    /// <summary>ML.NET's model header: a signature, the loader signature as up to 24 ASCII bytes at 0x50, the loader assembly's name (UTF-16) at the offset and length at 0x90.</summary>
    private static ModelComponent? ReadHeader(string entry, byte[] bytes)
    {
        if (bytes.Length < HeaderSize || BinaryPrimitives.ReadUInt64LittleEndian(bytes) != HeaderSignature)
        {
            return null;
        }

        var signature = Encoding.ASCII.GetString(bytes.AsSpan(0x50, 24)).TrimEnd('\0');
        var offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(0x90));
        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(0x98));
        string? assembly = null;
        if (offset >= HeaderSize && length > 0 && length % 2 == 0 && offset + length <= bytes.Length)
        {
            assembly = Encoding.Unicode.GetString(bytes, (int)offset, (int)length);
        }

        return new ModelComponent(entry, signature, assembly);
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string? FileNameOf(IOException error) => error switch
    {
        FileNotFoundException { FileName: { Length: > 0 } name } => name,
        FileLoadException { FileName: { Length: > 0 } name } => name,
        _ => null,
    };

    // ML.NET's words when no loadable class answers a component's signature.
    [GeneratedRegex(@"Couldn't load model: '([^']+)'")]
    private static partial Regex UnloadableEntry();
}
