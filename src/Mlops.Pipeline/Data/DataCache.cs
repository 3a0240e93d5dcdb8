using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Data;

/// <summary>
/// Where a model that keeps its data in the store (a <c>data:</c> with a digest and no path) gets it: the file is
/// fetched from the store by its digest into <c>.mlops/data/&lt;64 hex&gt;</c>, verified while it streams in, and
/// read from there by validation, training, evaluation and reproduce; a later command reuses the copy (each read
/// hashes it again, as every data read does). The rules are in docs/file-formats.md ("Data kept in the store").
/// </summary>
public sealed class DataCache
{
    /// <summary>The cache folder, relative to the repository root.</summary>
    public const string DefaultFolder = ".mlops/data";

    private readonly string _root;
    private readonly Func<StoreLocation> _store;

    /// <summary>
    /// A cache under <paramref name="root"/> that fetches from the store <paramref name="storeValue"/> names (the
    /// CLI's <c>--store</c>), else <c>MLOPS_STORE</c>, else <c>.mlops/store</c>: resolved only when a model needs it.
    /// </summary>
    /// <param name="root">The repository root.</param>
    /// <param name="storeValue">A store location given on the command line, or null.</param>
    public DataCache(string root, string? storeValue = null)
        : this(root, () => StoreLocation.Resolve(root, storeValue), null)
    {
    }

    /// <summary>A cache in <paramref name="folder"/> that fetches from <paramref name="store"/>.</summary>
    /// <param name="root">The repository root (the one paths in findings are relative to).</param>
    /// <param name="store">The store the data objects are in.</param>
    /// <param name="folder">The cache folder; null for <see cref="DefaultFolder"/> under <paramref name="root"/>.</param>
    public DataCache(string root, StoreLocation store, string? folder = null)
        : this(root, () => store, folder)
    {
        ArgumentNullException.ThrowIfNull(store);
    }

    private DataCache(string root, Func<StoreLocation> store, string? folder)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = Path.GetFullPath(root);
        _store = store;
        Folder = Path.GetFullPath(folder ?? Path.Combine(_root, DefaultFolder));
    }

    /// <summary>
    /// The same cache folder and store for a copy of the repository at <paramref name="root"/> (as reproduce
    /// makes): a file fetched once serves both.
    /// </summary>
    /// <param name="root">The copy's root.</param>
    public DataCache ForCopyAt(string root) => new(root, _store, Folder);

    /// <summary>The cache folder, as a full path.</summary>
    public string Folder { get; }

    /// <summary>The store location, as the cache resolves it.</summary>
    /// <exception cref="ArgumentException">The location given is not valid.</exception>
    public StoreLocation Store => _store();

    /// <summary>The cached copy of the data file named <paramref name="digest"/> (present or not).</summary>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public string PathOf(string digest) => Path.Combine(Folder, Sha256Digest.Hex(digest, nameof(digest), "data digest"));

    /// <summary>How findings name the cached copy: relative to the repository root when inside it.</summary>
    public string DisplayPathOf(string digest) =>
        Sha256Digest.IsValid(digest) ? RepositoryLoader.RelativePath(_root, PathOf(digest)) : digest;

    /// <summary>
    /// The local copy of the data <paramref name="model"/> keeps in the store, fetched first when absent.
    /// </summary>
    /// <param name="model">A model whose <c>data</c> has no path.</param>
    /// <param name="cancellationToken">Stops the fetch; nothing is left in the cache.</param>
    /// <returns>The cached file, when it is there or was fetched; otherwise MLOPS0415, at <c>data.digest</c>: which model, which digest, which store, and what to do.</returns>
    public async Task<(string? Path, Diagnostic? Problem)> FetchAsync(Declared<ModelSpec> model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Value;
        var digest = spec.Data.Digest;
        if (!Sha256Digest.IsValid(digest))
        {
            return (null, Problem(model, $"its digest '{digest}' is not {Sha256Digest.FormDescription}, so it names no file in the store. Copy the digest 'mlops data push' printed."));
        }

        var cached = PathOf(digest);
        if (File.Exists(cached))
        {
            return (cached, null);
        }

        StoreLocation location;
        try
        {
            location = _store();
        }
        catch (ArgumentException e)
        {
            return (null, Problem(model, e.Message));
        }

        try
        {
            EnsureFolder();
            using var objects = new DataObjectStore(location);
            await objects.PullAsync(digest, cached, cancellationToken).ConfigureAwait(false);
            return (cached, null);
        }
        catch (Exception e) when (e is DataObjectException or BundleStoreException)
        {
            return (null, Problem(model, e.Message));
        }
    }

    /// <summary>Deletes the cached copy of <paramref name="digest"/>, so the next read fetches it again.</summary>
    public void Forget(string digest)
    {
        if (Sha256Digest.IsValid(digest))
        {
            File.Delete(PathOf(digest));
        }
    }

    private static Diagnostic Problem(Declared<ModelSpec> model, string reason) =>
        DiagnosticIds.DataNotInStore.At(model.Map["data.digest"],
            $"model '{model.Value.Name}' keeps its data in the store (its 'data' has a digest and no path), and it cannot be fetched: {reason}");

    private void EnsureFolder()
    {
        if (Directory.Exists(Folder))
        {
            return;
        }

        Directory.CreateDirectory(Folder);

        // Fetched copies are bytes for the cache, not for git, even when the repository does not ignore .mlops/.
        File.WriteAllText(Path.Combine(Folder, ".gitignore"), "# Written by mlops: data fetched from the store, not for git.\n*\n");
    }
}
