using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Declarations.Digests;

namespace Mlops.Runtime.Bundles;

/// <summary>A bundle's format problem: missing entries, an unreadable manifest, a model that does not match its digest.</summary>
public sealed class BundleFormatException(string message) : Exception(message);

/// <summary>
/// A packaged model: <c>manifest.json</c>, the model entry, <c>reference-profile.json</c> and any
/// further entries, written as a deterministic zip whose sha256 is its identity in the store.
/// </summary>
public sealed class Bundle
{
    /// <summary>The manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The reference profile entry (what drift is measured against).</summary>
    public const string ProfileEntry = "reference-profile.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly IReadOnlyDictionary<string, byte[]> _entries;

    private Bundle(BundleManifest manifest, IReadOnlyDictionary<string, byte[]> entries)
    {
        Manifest = manifest;
        _entries = entries;
    }

    /// <summary>The manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Entry names, in order.</summary>
    public IEnumerable<string> EntryNames => _entries.Keys.OrderBy(k => k, StringComparer.Ordinal);

    /// <summary>The bytes of an entry.</summary>
    /// <exception cref="BundleFormatException">No such entry.</exception>
    public byte[] Entry(string name) => _entries.TryGetValue(name, out var bytes)
        ? bytes
        : throw new BundleFormatException($"the bundle of '{Manifest.Model}' has no entry '{name}'.");

    /// <summary>The model's bytes, verified against the manifest's model digest.</summary>
    public byte[] ModelBytes => Entry(Manifest.ModelFile);

    /// <summary>The ONNX export's bytes (verified against the manifest when read), or null when the bundle carries none.</summary>
    public byte[]? OnnxBytes => Manifest.Onnx is { } onnx ? Entry(onnx.File) : null;

    /// <summary>Writes a bundle deterministically: same manifest and entries, same bytes.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="model">The model's bytes; its digest must be the manifest's.</param>
    /// <param name="others">Further entries, name to bytes (the reference profile, for example).</param>
    public static byte[] Write(BundleManifest manifest, byte[] model, IReadOnlyDictionary<string, byte[]> others)
    {
        if (Sha256Digest.Of(model) != manifest.ModelDigest)
        {
            throw new ArgumentException($"The model bytes hash to {Sha256Digest.Of(model)}, not the manifest's {manifest.ModelDigest}.", nameof(model));
        }

        var entries = new Dictionary<string, byte[]>(others, StringComparer.Ordinal)
        {
            [ManifestEntry] = SerializeManifest(manifest),
            [manifest.ModelFile] = model,
        };
        return DeterministicZip.Write(entries);
    }

    /// <summary>Serializes a manifest the way bundles store it (camelCase, indented, sorted maps).</summary>
    public static byte[] SerializeManifest(BundleManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(Sorted(manifest), s_json);

    /// <summary>Reads a bundle and checks its manifest and model digest.</summary>
    /// <exception cref="BundleFormatException">The bytes are not a valid bundle.</exception>
    public static Bundle Read(byte[] bytes)
    {
        Dictionary<string, byte[]> entries;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            entries = DeterministicZip.ReadAll(archive).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        }
        catch (InvalidDataException e)
        {
            throw new BundleFormatException($"the bytes are not a bundle (not a zip archive: {e.Message}).");
        }

        if (!entries.TryGetValue(ManifestEntry, out var manifestBytes))
        {
            throw new BundleFormatException($"the archive has no {ManifestEntry}, so it is not a bundle.");
        }

        BundleManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BundleManifest>(manifestBytes, s_json);
        }
        catch (JsonException e)
        {
            throw new BundleFormatException($"{ManifestEntry} cannot be read{(e.Path is { } path ? $" at {path}" : "")}: {e.Message}");
        }

        if (manifest is null || manifest.Format != BundleManifest.CurrentFormat)
        {
            throw new BundleFormatException($"{ManifestEntry} has format {manifest?.Format}, but this mlops reads format {BundleManifest.CurrentFormat}. Use a matching mlops version.");
        }

        if (!entries.TryGetValue(manifest.ModelFile, out var model))
        {
            throw new BundleFormatException($"the bundle of '{manifest.Model}' lacks its model entry '{manifest.ModelFile}'.");
        }

        if (Sha256Digest.Of(model) != manifest.ModelDigest)
        {
            throw new BundleFormatException($"the model entry of '{manifest.Model}' hashes to {Sha256Digest.Of(model)}, not the manifest's {manifest.ModelDigest}: the bundle was altered.");
        }

        if (manifest.Onnx is { } onnx)
        {
            if (!entries.TryGetValue(onnx.File, out var graph))
            {
                throw new BundleFormatException($"the bundle of '{manifest.Model}' lacks its ONNX entry '{onnx.File}', which its manifest names.");
            }

            if (Sha256Digest.Of(graph) != onnx.Digest)
            {
                throw new BundleFormatException($"the ONNX entry of '{manifest.Model}' hashes to {Sha256Digest.Of(graph)}, not the manifest's {onnx.Digest}: the bundle was altered.");
            }
        }

        return new Bundle(manifest, entries);
    }

    private static BundleManifest Sorted(BundleManifest manifest) => manifest with
    {
        Trainer = manifest.Trainer with { Parameters = new SortedDictionary<string, string>(manifest.Trainer.Parameters.ToDictionary(), StringComparer.Ordinal) },
        Metrics = new BundleMetrics(
            new SortedDictionary<string, double>(manifest.Metrics.Overall.ToDictionary(), StringComparer.Ordinal),
            new SortedDictionary<string, IReadOnlyDictionary<string, double>>(
                manifest.Metrics.Slices.ToDictionary(s => s.Key, s => (IReadOnlyDictionary<string, double>)new SortedDictionary<string, double>(s.Value.ToDictionary(), StringComparer.Ordinal)),
                StringComparer.Ordinal)),
    };
}
