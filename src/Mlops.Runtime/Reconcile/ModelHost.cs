using Mlops.Declarations.Digests;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;
using Mlops.Runtime.Store;

namespace Mlops.Runtime.Reconcile;

/// <summary>
/// Serves what the environment file pins. Each reconcile reads the desired state, fetches every pinned
/// bundle by digest from the store (or the local cache, verified again), loads and warms it up, builds
/// a new immutable <see cref="ServingSnapshot"/> and swaps it in with one reference exchange, so a
/// request sees either the old versions or the new ones, never a mix. A bundle that fails to fetch,
/// verify, load or warm up is refused: the version served before keeps serving and the status says why.
/// Versions that stop being served stay loaded for <see cref="ModelHostOptions.RetainPrevious"/>, so a
/// rollback to them is instant. With <see cref="ModelHostOptions.Batching"/> on, each loaded version
/// gets its own <see cref="DynamicBatcher"/>, closed (its queued rows still scored) when the version
/// is neither served nor retained any more.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private readonly IDesiredStateSource _source;
    private readonly IBundleStore _store;
    private readonly ModelHostOptions _options;
    private readonly TimeProvider _time;
    private readonly MlopsMetrics? _metrics;
    private readonly SemaphoreSlim _reconcileGate = new(1, 1);
    private readonly SemaphoreSlim _wakeup = new(0, 1);
    // Watchers are added by the reconcile loop and disposed by Dispose, which can run while the loop
    // starts (a server that fails to bind disposes the host at once): both hold this lock.
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _watchersLock = new();
    private bool _disposed;
    private ServingSnapshot _snapshot;
    private HostStatus _status;

    /// <summary>Creates a host; nothing is served until the first <see cref="ReconcileAsync"/>.</summary>
    /// <param name="source">Where the environment file is read from.</param>
    /// <param name="store">The bundle store.</param>
    /// <param name="environment">The environment's name.</param>
    /// <param name="options">Options; validated here.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <param name="onShadow">Receives shadow predictions; null ignores them.</param>
    /// <param name="metrics">Counts bundle cache hits and reads this host's canary weights, training metrics and status at each scrape; null records nothing.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is out of range.</exception>
    public ModelHost(IDesiredStateSource source, IBundleStore store, string environment, ModelHostOptions? options = null, TimeProvider? timeProvider = null, Action<ShadowResult>? onShadow = null, MlopsMetrics? metrics = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new ModelHostOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        Router = new TrafficRouter(onShadow);
        _snapshot = ServingSnapshot.Empty(environment);
        _status = new HostStatus(environment, source.Location, SyncStatus.OutOfSync, HealthStatus.Progressing, null, null, null, "not reconciled yet", [], []);
        _metrics = metrics;
        metrics?.Observe(this);
    }

    /// <summary>What is served now.</summary>
    public ServingSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The status after the last reconcile (or during one).</summary>
    public HostStatus Status => Volatile.Read(ref _status);

    /// <summary>Routes and scores requests against <see cref="Snapshot"/>.</summary>
    public TrafficRouter Router { get; }

    /// <summary>Whether a reconcile has applied a commit and every served model can answer.</summary>
    public bool IsReady => Snapshot is { Commit: not null } s && s.Models.Values.All(m => m.IsReady);

    /// <summary>Wakes the polling loop so it reconciles now.</summary>
    public void RequestReconcile()
    {
        try
        {
            _wakeup.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping; a file event that arrives now has nothing to wake.
        }
    }

    /// <summary>Reconciles until cancelled: now, then every poll interval, on <see cref="RequestReconcile"/> and, for a folder source, on changes of its declaration files.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_source is FolderDesiredStateSource folder)
        {
            Watch(folder.Root);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await Task.WhenAny(Task.Delay(_options.PollInterval, _time, wait.Token), _wakeup.WaitAsync(wait.Token)).ConfigureAwait(false);
            }
            finally
            {
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads the desired state and applies it; never throws for a bad file or bundle (the status says why).</summary>
    public async Task<HostStatus> ReconcileAsync(CancellationToken cancellationToken)
    {
        await _reconcileGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReconcileLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reconcileGate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var batcher in Batchers(Snapshot))
        {
            batcher.Dispose();
        }

        FileSystemWatcher[] watchers;
        lock (_watchersLock)
        {
            _disposed = true;
            watchers = [.. _watchers];
            _watchers.Clear();
        }

        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }

        _reconcileGate.Dispose();
        _wakeup.Dispose();
    }

    private async Task<HostStatus> ReconcileLockedAsync(CancellationToken cancellationToken)
    {
        var old = Snapshot;
        DesiredState desired;
        try
        {
            desired = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DesiredStateException e)
        {
            var failed = Refused(Status, old, e);
            Volatile.Write(ref _status, failed);
            return failed;
        }

        if (desired.Commit != old.Commit)
        {
            Volatile.Write(ref _status, Status with { Sync = SyncStatus.OutOfSync, Health = HealthStatus.Progressing, DesiredCommit = desired.Commit, Message = null });
        }

        var now = _time.GetUtcNow();
        var pool = old.Models.Values.SelectMany(m => m.Loaded())
            .Concat(old.Retained.Where(r => r.Until > now).Select(r => r.Model))
            .GroupBy(l => l.Digest, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var models = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        var statuses = new List<ModelStatus>();
        var allApplied = true;
        foreach (var pin in desired.Environment.Models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            old.Models.TryGetValue(pin.Model, out var previous);
            var problems = new List<string>();
            var primary = await LoadAsync(pin.Model, pin.Version, pin.Digest, desired, pool, problems, cancellationToken).ConfigureAwait(false);
            var primaryApplied = primary is not null;
            primary ??= previous?.Primary;

            CanaryRoute? canary = null;
            if (pin.Canary is { } canarySpec
                && await LoadAsync(pin.Model, canarySpec.Version, canarySpec.Digest, desired, pool, problems, cancellationToken).ConfigureAwait(false) is { } canaryModel)
            {
                canary = new CanaryRoute(canaryModel, Math.Clamp(canarySpec.Weight, 0, 100));
            }

            LoadedModel? shadow = null;
            if (pin.Shadow is { } shadowSpec)
            {
                shadow = await LoadAsync(pin.Model, shadowSpec.Version, shadowSpec.Digest, desired, pool, problems, cancellationToken).ConfigureAwait(false);
            }

            var fallback = await FallbackAsync(pin, desired, pool, problems, cancellationToken).ConfigureAwait(false);
            var featureSet = FeatureSetOf(pin.FeatureSet ?? (primary is null ? null : Reference(primary.Manifest.FeatureSet)), desired);
            var commit = primaryApplied ? desired.Commit : previous?.Commit ?? desired.Commit;
            var served = new ServedModel(pin.Model, pin.Enabled, primary, canary, shadow, fallback, featureSet?.Entity, commit);
            models[pin.Model] = served;
            allApplied &= problems.Count == 0;

            var synced = primary?.Digest == pin.Digest
                && canary?.Model.Digest == pin.Canary?.Digest
                && shadow?.Digest == pin.Shadow?.Digest;
            var health = problems.Count > 0 || !served.IsReady ? HealthStatus.Degraded : HealthStatus.Healthy;
            var message = problems.Count > 0 ? string.Join(" ", problems)
                : !served.IsReady ? $"model '{pin.Model}' is switched off and names no fallback: requests to it fail."
                : null;
            statuses.Add(new ModelStatus(
                pin.Model,
                synced ? SyncStatus.Synced : SyncStatus.OutOfSync,
                health,
                pin.Enabled,
                new VersionRef(pin.Version, pin.Digest),
                primary is null ? null : new VersionRef(primary.Version, primary.Digest),
                pin.Canary is null ? null : new VersionRef(pin.Canary.Version, pin.Canary.Digest),
                canary is null ? null : new VersionRef(canary.Model.Version, canary.Model.Digest),
                pin.Canary?.Weight ?? 0,
                commit,
                message));
        }

        var kept = models.Values.SelectMany(m => m.Loaded()).Select(l => l.Digest).ToHashSet(StringComparer.Ordinal);
        var retained = old.Models.Values.SelectMany(m => m.Loaded()).Where(l => !kept.Contains(l.Digest))
            .Select(l => new RetainedModel(l, now + _options.RetainPrevious))
            .Concat(old.Retained.Where(r => r.Until > now && !kept.Contains(r.Model.Digest)))
            .Where(r => r.Until > now)
            .GroupBy(r => r.Model.Digest, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(r => r.Until).First())
            .ToList();

        var next = new ServingSnapshot(old.Environment, allApplied ? desired.Commit : old.Commit ?? desired.Commit, models, retained) { Monitoring = desired.Environment.Monitoring, Descriptions = desired.Descriptions };
        Interlocked.Exchange(ref _snapshot, next);

        // Versions dropped by this swap close their batchers. A request that still holds the old
        // snapshot is answered anyway: a closed batcher scores its queued rows and then scores
        // without batching.
        var live = Batchers(next).ToHashSet();
        foreach (var dropped in Batchers(old).Where(b => !live.Contains(b)))
        {
            await dropped.DisposeAsync().ConfigureAwait(false);
        }

        var allSynced = statuses.All(s => s.Sync == SyncStatus.Synced) && next.Commit == desired.Commit;
        var status = new HostStatus(
            old.Environment,
            _source.Location,
            allSynced ? SyncStatus.Synced : SyncStatus.OutOfSync,
            statuses.Any(s => s.Health == HealthStatus.Degraded) ? HealthStatus.Degraded : HealthStatus.Healthy,
            desired.Commit,
            next.Commit,
            _time.GetUtcNow(),
            null,
            statuses,
            []);
        Volatile.Write(ref _status, status);
        return status;
    }

    /// <summary>
    /// The status after a desired state that could not be read or was refused: Degraded, saying why. When declarations
    /// were read at a commit but have errors, that commit is the desired one (so the host is OutOfSync), the
    /// diagnostic lines are listed, and every model says that what it served before keeps serving.
    /// </summary>
    private HostStatus Refused(HostStatus current, ServingSnapshot served, DesiredStateException e)
    {
        var status = current with { Health = HealthStatus.Degraded, LastReconcile = _time.GetUtcNow(), Message = e.Message, Diagnostics = e.Diagnostics };
        if (e.Commit is not { } commit || commit == served.Commit)
        {
            return status;
        }

        var note = $"not updated: the declarations at {DesiredStateReader.Short(commit)} have errors (listed in the status's diagnostics), so this environment is not applied";
        return status with
        {
            Sync = SyncStatus.OutOfSync,
            DesiredCommit = commit,
            Models = [.. current.Models.Select(m => m with
            {
                Sync = SyncStatus.OutOfSync,
                Health = HealthStatus.Degraded,
                Message = m.Served is { } version ? $"{note}; v{version.Version} keeps serving." : note + ".",
            })],
        };
    }

    /// <summary>Reconciles on every change of a declaration file (any of them can change what is applied), in the folders that exist now; the poll covers the rest.</summary>
    private void Watch(string root)
    {
        foreach (var folder in RepositoryLayout.Folders.Select(f => Path.Combine(root, f)).Where(Directory.Exists))
        {
            var watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size,
            };
            FileSystemEventHandler changed = (_, e) =>
            {
                if (DeclarationFiles.IsDeclaration(RepositoryLoader.RelativePath(root, e.FullPath)) || Directory.Exists(e.FullPath))
                {
                    RequestReconcile();
                }
            };
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, _) => RequestReconcile();
            lock (_watchersLock)
            {
                if (_disposed)
                {
                    watcher.Dispose();
                    return;
                }

                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }
    }

    private static IEnumerable<DynamicBatcher> Batchers(ServingSnapshot snapshot) =>
        snapshot.Models.Values.SelectMany(m => m.Loaded()).Concat(snapshot.Retained.Select(r => r.Model))
            .Select(l => l.Batcher).OfType<DynamicBatcher>().Distinct();

    private async Task<FallbackAnswer?> FallbackAsync(PinnedModel pin, DesiredState desired, Dictionary<string, LoadedModel> pool, List<string> problems, CancellationToken cancellationToken)
    {
        switch (pin.Fallback)
        {
            case { Constant: { } constant }:
                return new FallbackAnswer(ConstantPrediction(constant), null);
            case { Model: { } name, Version: { } version }:
                var entry = desired.Environment.Models.FirstOrDefault(m => m.Model == name && m.Version == version);
                if (pin.Fallback.Digest is { } named && entry is not null && entry.Digest != named)
                {
                    problems.Add($"fallback {name} v{version} names digest {named}, but this environment pins {name} v{version} as {entry.Digest}. A version has one bundle: correct one of them.");
                    return null;
                }

                if ((pin.Fallback.Digest ?? entry?.Digest) is not { } digest)
                {
                    problems.Add($"fallback {name} v{version} names no digest and is not pinned in this environment, so its bundle is unknown. Add 'digest: sha256:...' to the fallback (mlops registry list {name} shows it), or a models entry for {name} version {version} (enabled: false keeps it from answering on its own).");
                    return null;
                }

                var loaded = await LoadAsync(name, version, digest, desired, pool, problems, cancellationToken).ConfigureAwait(false);
                return loaded is null ? null : new FallbackAnswer(null, loaded);
            default:
                return null;
        }
    }

    private static Prediction ConstantPrediction(IReadOnlyDictionary<string, ScalarValue> constant)
    {
        bool? positive = constant.TryGetValue("prediction", out var p) ? p.AsBoolean() : null;
        var label = positive is null && p is not null ? p.Text : null;
        float? probability = constant.TryGetValue("probability", out var pr) && pr.AsNumber() is { } prob ? (float)prob : null;
        var score = constant.TryGetValue("score", out var s) && s.AsNumber() is { } sc ? (float)sc
            : probability ?? (p?.AsNumber() is { } n ? (float)n : positive is { } b ? (b ? 1f : 0f) : 0f);
        return new Prediction(score, probability, positive, label, null);
    }

    private static FeatureSet? FeatureSetOf(FeatureSetReference? reference, DesiredState desired) =>
        reference is not null && desired.FeatureSets.TryGetValue(reference, out var set) ? set : null;

    private static FeatureSetReference Reference(BundleFeatureSet trainedOn) => new(trainedOn.Name, trainedOn.Version);

    private async Task<LoadedModel?> LoadAsync(string model, int version, string digest, DesiredState desired, Dictionary<string, LoadedModel> pool, List<string> problems, CancellationToken cancellationToken)
    {
        if (pool.TryGetValue(digest, out var loaded))
        {
            return loaded.Version == version ? loaded : loaded with { Version = version };
        }

        try
        {
            var bytes = await FetchAsync(digest, cancellationToken).ConfigureAwait(false);
            var bundle = Bundle.Read(bytes);
            if (bundle.Manifest.Model != model)
            {
                throw new InvalidDataException($"the bundle holds model '{bundle.Manifest.Model}', not '{model}'. Correct the digest.");
            }

            var scorer = Scorers.Load(bundle, _options.Runtime);
            var featureSet = FeatureSetOf(Reference(bundle.Manifest.FeatureSet), desired);
            var schema = new InputSchema(bundle.Manifest.Inputs, featureSet);
            var warmup = schema.ExampleBatch();
            for (var i = 0; i < _options.WarmupRows; i++)
            {
                scorer.Score(warmup);
            }

            loaded = new LoadedModel(model, version, digest, bundle.Manifest, scorer, schema)
            {
                Batcher = _options.Batching.Enabled ? new DynamicBatcher(scorer, _options.Batching, _time) : null,
                Reference = ReferenceSample.IsIn(bundle) ? await ReferenceSample.ReadAsync(bundle, cancellationToken).ConfigureAwait(false) : null,
                Profile = ReferenceProfile.TryRead(bundle),
            };
            pool[digest] = loaded;
            return loaded;
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            problems.Add($"{model} v{version} ({digest}) was refused: {e.Message}");
            return null;
        }
    }

    private async Task<byte[]> FetchAsync(string digest, CancellationToken cancellationToken)
    {
        if (!Sha256Digest.IsValid(digest))
        {
            throw new InvalidDataException($"'{digest}' is not a bundle digest ({Sha256Digest.FormDescription}).");
        }

        var cached = Path.Combine(_options.CacheFolder, Sha256Digest.Hex(digest) + ".bundle");
        if (File.Exists(cached))
        {
            var bytes = await File.ReadAllBytesAsync(cached, cancellationToken).ConfigureAwait(false);
            if (Sha256Digest.Of(bytes) == digest)
            {
                _metrics?.RecordStoreFetch(cacheHit: true);
                return bytes;
            }

            File.Delete(cached);
        }

        _metrics?.RecordStoreFetch(cacheHit: false);
        using var buffer = new MemoryStream();
        await _store.CopyToAsync(digest, buffer, cancellationToken).ConfigureAwait(false);
        var fetched = buffer.ToArray();
        Directory.CreateDirectory(_options.CacheFolder);
        var temporary = cached + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, fetched, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, cached, overwrite: true);
        return fetched;
    }
}
