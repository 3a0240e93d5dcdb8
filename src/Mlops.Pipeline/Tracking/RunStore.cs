using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Evaluation;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// The run store: an embedded SQLite database, by default <c>.mlops/tracking.db</c> under the repository
/// root, or a PostgreSQL database shared by several machines (see <see cref="TrackingLocation"/>). Every write
/// is one transaction, so a run is either running, succeeded with its metrics and artifact, or failed with its
/// error; never half-written. Several processes can record runs in one store at once: SQLite runs in WAL mode
/// with a busy timeout, PostgreSQL locks the run a write changes. The queries are the same on both; what
/// differs (connections, locking, DDL) is the dialect's.
/// </summary>
/// <remarks>
/// An instance holds one connection and serialises its own calls, so it may be shared between threads.
/// A run left <c>running</c> by a process that died is reported as <see cref="RunStatus.Abandoned"/> when
/// read on the machine that recorded it; the row itself stays <c>running</c> (a reader never rewrites it).
/// </remarks>
public sealed class RunStore : IAsyncDisposable
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private const string RunColumns = """
        id, model, status, started_at, ended_at, cache_key, data_digest, declarations_digest,
        git_commit, git_dirty, git_branch, os, dotnet_version, mlnet_version, seed, artifact_path, artifact_digest,
        error_message, error_id, error_path, error_line, error_column, host, pid, parent_id
        """;

    private readonly DbConnection _connection;
    private readonly RunStoreDialect _dialect;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private RunStore(DbConnection connection, RunStoreDialect dialect, TimeProvider time)
    {
        _connection = connection;
        _dialect = dialect;
        _time = time;
    }

    /// <summary>Where the store is, as it may be shown: the database file, or <c>postgresql://user@host:port/database</c> (never the password).</summary>
    public string DatabasePath => _dialect.Location;

    /// <summary>The busy timeout: how long a write waits for another process's transaction. The default value is 30 seconds.</summary>
    public static TimeSpan BusyTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens the store at <paramref name="databasePath"/>, creating what is missing: for SQLite the file, its folder
    /// and the tables (a new <c>.mlops</c> folder gets a <c>.gitignore</c> of <c>*</c>, so the database is never
    /// committed by accident); for PostgreSQL the tables, and the schema the connection's <c>Search Path</c> names.
    /// </summary>
    /// <param name="databasePath">The database file or PostgreSQL location, for example from <see cref="TrackingLocation.Resolve"/>.</param>
    /// <param name="time">The clock for start and end times. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="TrackingStoreException">The file is not a run store, a newer mlops wrote it, or the server cannot be reached or refuses the user.</exception>
    public static async Task<RunStore> OpenAsync(string databasePath, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        time ??= TimeProvider.System;
        RunStoreDialect dialect = TrackingLocation.IsPostgreSql(databasePath)
            ? PostgresDialect.Create(databasePath)
            : await SqliteDialect.PrepareAsync(databasePath, cancellationToken).ConfigureAwait(false);
        DbConnection? connection = null;
        try
        {
            connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            await RunStoreSchema.MigrateAsync(connection, dialect, time, cancellationToken).ConfigureAwait(false);
            return new RunStore(connection, dialect, time);
        }
        catch (Exception e) when (dialect.Explain(e) is { } explained)
        {
            await DisposeAsync(connection).ConfigureAwait(false);
            throw explained;
        }
        catch
        {
            await DisposeAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Records a new run as <c>running</c>, with its params, digests, git state and toolchain, in one transaction.
    /// Follow it with <see cref="CompleteRunAsync"/> or <see cref="FailRunAsync"/>.
    /// </summary>
    /// <param name="start">What is known at the start.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>The new run's id.</returns>
    public async Task<string> StartRunAsync(RunStart start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrWhiteSpace(start.Model, nameof(start));
        var toolchain = Toolchain.Current(start.MlNetVersion);
        var startedAt = _time.GetUtcNow();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            var id = RunId.New(startedAt);
            while (await ExistsAsync(transaction, id, cancellationToken).ConfigureAwait(false))
            {
                id = RunId.New(startedAt);
            }

            await ExecuteAsync(transaction, """
                INSERT INTO runs (id, model, status, started_at, cache_key, data_digest, declarations_digest,
                                  git_commit, git_dirty, git_branch, os, dotnet_version, mlnet_version, seed, host, pid, parent_id)
                VALUES (@id, @model, 'running', @started, @cacheKey, @dataDigest, @declarationsDigest,
                        @commit, @dirty, @branch, @os, @dotnet, @mlnet, @seed, @host, @pid, @parent)
                """, cancellationToken,
                ("id", id), ("model", start.Model), ("started", Format(startedAt)), ("cacheKey", start.CacheKey),
                ("dataDigest", start.DataDigest), ("declarationsDigest", start.DeclarationsDigest),
                ("commit", start.Git.Commit), ("dirty", start.Git.Dirty), ("branch", start.Git.Branch),
                ("os", toolchain.Os), ("dotnet", toolchain.DotNet), ("mlnet", toolchain.MlNet), ("seed", start.Seed),
                ("host", Environment.MachineName), ("pid", Environment.ProcessId), ("parent", start.ParentId)).ConfigureAwait(false);
            await UpsertParamsAsync(transaction, id, start.Params, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return id;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Marks a running run <c>succeeded</c> and records its metrics, artifact, late params and attachments, all in one transaction.
    /// </summary>
    /// <param name="runId">The id <see cref="StartRunAsync"/> returned.</param>
    /// <param name="completion">What the run produced.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    /// <exception cref="InvalidOperationException">The run is not running (it already completed or failed).</exception>
    /// <exception cref="ArgumentException">An attachment is not valid JSON.</exception>
    public async Task CompleteRunAsync(string runId, RunCompletion completion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completion);
        foreach (var (name, json) in completion.Attachments)
        {
            CheckJson(name, json);
        }

        var endedAt = _time.GetUtcNow();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            await RequireStatusAsync(transaction, runId, "complete", cancellationToken, "running").ConfigureAwait(false);
            await ExecuteAsync(transaction, """
                UPDATE runs SET status = 'succeeded', ended_at = @ended, artifact_path = @path, artifact_digest = @digest
                WHERE id = @id
                """, cancellationToken,
                ("id", runId), ("ended", Format(endedAt)), ("path", completion.Artifact?.Path), ("digest", completion.Artifact?.Digest))
                .ConfigureAwait(false);
            await UpsertParamsAsync(transaction, runId, completion.Params, cancellationToken).ConfigureAwait(false);
            await UpsertMetricsAsync(transaction, runId, completion.Metrics, cancellationToken).ConfigureAwait(false);
            foreach (var (name, json) in completion.Attachments)
            {
                await UpsertAttachmentAsync(transaction, runId, name, json, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Marks a running run <c>failed</c> with its error and end time, in one transaction. It keeps the params
    /// recorded at the start (they say what was tried) and never serves as a cache hit. When recording a
    /// failure caused by cancellation, pass <see cref="CancellationToken.None"/> so the record is still written.
    /// </summary>
    /// <param name="runId">The id <see cref="StartRunAsync"/> returned.</param>
    /// <param name="error">Why it failed.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    /// <exception cref="InvalidOperationException">The run is not running (it already completed or failed).</exception>
    public async Task FailRunAsync(string runId, RunError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        var endedAt = _time.GetUtcNow();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            await RequireStatusAsync(transaction, runId, "fail", cancellationToken, "running").ConfigureAwait(false);
            await ExecuteAsync(transaction, """
                UPDATE runs SET status = 'failed', ended_at = @ended, error_message = @message, error_id = @errorId,
                                error_path = @path, error_line = @line, error_column = @column
                WHERE id = @id
                """, cancellationToken,
                ("id", runId), ("ended", Format(endedAt)), ("message", error.Message), ("errorId", error.DiagnosticId),
                ("path", error.Location?.Path), ("line", error.Location?.Line), ("column", error.Location?.Column))
                .ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds metrics to a running or succeeded run (evaluation results measured later); a metric with the same name, split and slice is replaced.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="metrics">The metrics.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    /// <exception cref="InvalidOperationException">The run failed.</exception>
    public async Task AddMetricsAsync(string runId, IEnumerable<RunMetric> metrics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            await RequireStatusAsync(transaction, runId, "add metrics to", cancellationToken, "running", "succeeded").ConfigureAwait(false);
            await UpsertMetricsAsync(transaction, runId, metrics, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Attaches a JSON document (an evaluation report, a profile) to a running or succeeded run, replacing one of the same name.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="name">The document's name, for example <c>evaluation</c>.</param>
    /// <param name="json">The document; it must be valid JSON.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">No run has this id.</exception>
    /// <exception cref="InvalidOperationException">The run failed.</exception>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not valid JSON.</exception>
    public async Task AttachAsync(string runId, string name, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        CheckJson(name, json);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await BeginAsync(cancellationToken).ConfigureAwait(false);
            await RequireStatusAsync(transaction, runId, "attach to", cancellationToken, "running", "succeeded").ConfigureAwait(false);
            await UpsertAttachmentAsync(transaction, runId, name, json, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The JSON document attached to a run under <paramref name="name"/>, or null.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="name">The document's name.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<string?> GetAttachmentAsync(string runId, string name, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = Command(null, "SELECT content FROM attachments WHERE run_id = @id AND name = @name", ("id", runId), ("name", name));
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The latest succeeded run of <paramref name="model"/> with this cache key, or null: a cache hit when found.</summary>
    /// <param name="model">The model's name.</param>
    /// <param name="cacheKey">The key from <see cref="CacheKey.Compute"/>.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<Run?> FindCachedAsync(string model, string cacheKey, CancellationToken cancellationToken = default) =>
        (await QueryRunsAsync(
            $"SELECT {RunColumns} FROM runs WHERE model = @model AND cache_key = @key AND status = 'succeeded' AND parent_id IS NULL ORDER BY started_at DESC, seq DESC LIMIT 1",
            cancellationToken, ("model", model), ("key", cacheKey)).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The run with exactly this id, or null.</summary>
    /// <param name="runId">The full id.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<Run?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        (await QueryRunsAsync($"SELECT {RunColumns} FROM runs WHERE id = @id", cancellationToken, ("id", runId)).ConfigureAwait(false))
            .FirstOrDefault();

    /// <summary>The latest run of <paramref name="model"/> (of any model when null), optionally only of one stored status; or null. Child runs (trials) are never the latest.</summary>
    /// <param name="model">The model's name, or null for any.</param>
    /// <param name="status">Only runs stored with this status (not <see cref="RunStatus.Abandoned"/>), or null for any.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task<Run?> LatestAsync(string? model, RunStatus? status = null, CancellationToken cancellationToken = default) =>
        // CAST: a null parameter has no type, and PostgreSQL must know one to compare it (SQLite does not mind).
        (await QueryRunsAsync(
            $"SELECT {RunColumns} FROM runs WHERE (CAST(@model AS TEXT) IS NULL OR model = @model) AND (CAST(@status AS TEXT) IS NULL OR status = @status) AND parent_id IS NULL ORDER BY started_at DESC, seq DESC LIMIT 1",
            cancellationToken, ("model", model), ("status", status is { } s ? StatusName(s) : null)).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The latest runs, newest first; child runs (the trials of trainer auto) are left out: <see cref="ChildrenAsync"/> reads them.</summary>
    /// <param name="model">Only this model's runs, or null for all.</param>
    /// <param name="limit">How many at most. The default value is 20.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1.</exception>
    public Task<IReadOnlyList<Run>> ListAsync(string? model = null, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return QueryRunsAsync(
            $"SELECT {RunColumns} FROM runs WHERE (CAST(@model AS TEXT) IS NULL OR model = @model) AND parent_id IS NULL ORDER BY started_at DESC, seq DESC LIMIT @limit",
            cancellationToken, ("model", model), ("limit", limit));
    }

    /// <summary>The runs recorded as part of <paramref name="parentId"/> (the trials of trainer auto), in the order they were started.</summary>
    /// <param name="parentId">The parent run's full id.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public Task<IReadOnlyList<Run>> ChildrenAsync(string parentId, CancellationToken cancellationToken = default) =>
        QueryRunsAsync($"SELECT {RunColumns} FROM runs WHERE parent_id = @parent ORDER BY seq", cancellationToken, ("parent", parentId));

    /// <summary>
    /// The run a person means by <paramref name="reference"/>: a full id; <c>latest</c> (the latest run of any model);
    /// a model's name (its latest run); or a unique prefix of an id or of its random part, as git accepts short hashes.
    /// </summary>
    /// <param name="reference">What was typed.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">Nothing matches, or a prefix matches more than one run.</exception>
    public async Task<Run> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var text = reference.Trim();
        if (text.Length > 0)
        {
            if (await GetAsync(text, cancellationToken).ConfigureAwait(false) is { } exact)
            {
                return exact;
            }

            var byName = text == "latest"
                ? await LatestAsync(null, null, cancellationToken).ConfigureAwait(false)
                : await LatestAsync(text, null, cancellationToken).ConfigureAwait(false);
            if (byName is not null)
            {
                return byName;
            }

            var matches = await QueryRunsAsync(
                $"""
                SELECT {RunColumns} FROM runs
                WHERE lower(substr(id, 1, length(@p))) = lower(@p)
                   OR (length(@p) >= 4 AND lower(substr(id, {RunId.SuffixStart + 1}, length(@p))) = lower(@p))
                ORDER BY started_at DESC, seq DESC LIMIT 11
                """, cancellationToken, ("p", text)).ConfigureAwait(false);
            if (matches.Count == 1)
            {
                return matches[0];
            }

            if (matches.Count > 1)
            {
                var shown = matches.Take(10).Select(r => r.Id).ToList();
                throw new RunNotFoundException(reference,
                    $"run '{reference}' is ambiguous: it matches {(matches.Count > 10 ? "more than 10" : matches.Count.ToString(CultureInfo.InvariantCulture))} runs "
                    + $"({string.Join(", ", shown)}). Give more characters of the id.", shown);
            }
        }

        throw new RunNotFoundException(reference,
            $"no run matches '{reference}' in {DatabasePath}. Run 'mlops runs list' to see the run ids; a unique prefix of an id, "
            + "a model's name (its latest run) or 'latest' also name a run.", []);
    }

    /// <summary>Compares two runs named as <see cref="ResolveAsync"/> accepts; A is the baseline and deltas are B minus A.</summary>
    /// <param name="referenceA">The first run.</param>
    /// <param name="referenceB">The second run.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="RunNotFoundException">A reference matches no run, or more than one.</exception>
    public async Task<RunComparison> CompareAsync(string referenceA, string referenceB, CancellationToken cancellationToken = default)
    {
        var a = await ResolveAsync(referenceA, cancellationToken).ConfigureAwait(false);
        var b = await ResolveAsync(referenceB, cancellationToken).ConfigureAwait(false);
        return RunComparison.Create(a, b);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private static async ValueTask DisposeAsync(DbConnection? connection)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string StatusName(RunStatus status) => RunComparison.Name(status);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        new(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    private static void CheckJson(string name, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"attachment '{name}' is not valid JSON: {e.Message}", nameof(json), e);
        }
    }

    private static bool IsProcessAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private Task<DbTransaction> BeginAsync(CancellationToken cancellationToken) => _dialect.BeginWriteAsync(_connection, cancellationToken);

    private DbCommand Command(DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch
            {
                null => DBNull.Value,
                double d when double.IsNaN(d) => DBNull.Value, // SQLite has no NaN; NULL reads back as NaN (the same on both databases)
                bool b => b ? 1 : 0,
                _ => value,
            };
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task ExecuteAsync(DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ExistsAsync(DbTransaction transaction, string runId, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, "SELECT 1 FROM runs WHERE id = @id", ("id", runId));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task RequireStatusAsync(DbTransaction transaction, string runId, string action, CancellationToken cancellationToken, params string[] allowed)
    {
        // Locks the row where the database needs it, so two processes completing one run cannot both see it running.
        await using var command = Command(transaction, "SELECT status FROM runs WHERE id = @id" + _dialect.LockRow, ("id", runId));
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string status)
        {
            throw new RunNotFoundException(runId, $"no run has the id '{runId}' in {DatabasePath}. Use the id StartRunAsync returned.", []);
        }

        if (!allowed.Contains(status))
        {
            throw new InvalidOperationException($"cannot {action} run '{runId}': it is {status}, and only a {string.Join(" or ", allowed)} run can be changed so.");
        }
    }

    private async Task UpsertParamsAsync(DbTransaction transaction, string runId, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in parameters)
        {
            await ExecuteAsync(transaction, """
                INSERT INTO params (run_id, name, value) VALUES (@id, @name, @value)
                ON CONFLICT (run_id, name) DO UPDATE SET value = excluded.value
                """, cancellationToken, ("id", runId), ("name", name), ("value", value)).ConfigureAwait(false);
        }
    }

    private async Task UpsertMetricsAsync(DbTransaction transaction, string runId, IEnumerable<RunMetric> metrics, CancellationToken cancellationToken)
    {
        foreach (var metric in metrics)
        {
            await ExecuteAsync(transaction, """
                INSERT INTO metrics (run_id, name, split, slice, value, ci_low, ci_high) VALUES (@id, @name, @split, @slice, @value, @ciLow, @ciHigh)
                ON CONFLICT (run_id, name, split, slice) DO UPDATE SET value = excluded.value, ci_low = excluded.ci_low, ci_high = excluded.ci_high
                """, cancellationToken,
                ("id", runId), ("name", metric.Name), ("split", metric.Split), ("slice", metric.Slice), ("value", metric.Value),
                ("ciLow", metric.Interval?.Low), ("ciHigh", metric.Interval?.High)).ConfigureAwait(false);
        }
    }

    private Task UpsertAttachmentAsync(DbTransaction transaction, string runId, string name, string json, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, """
            INSERT INTO attachments (run_id, name, content) VALUES (@id, @name, @content)
            ON CONFLICT (run_id, name) DO UPDATE SET content = excluded.content
            """, cancellationToken, ("id", runId), ("name", name), ("content", json));

    private async Task<IReadOnlyList<Run>> QueryRunsAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One read transaction, so a run and its params and metrics come from the same snapshot.
            await using var transaction = await _dialect.BeginReadAsync(_connection, cancellationToken).ConfigureAwait(false);
            var runs = new List<Run>();
            await using (var command = Command(transaction, sql, parameters))
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    runs.Add(ReadRun(reader));
                }
            }

            if (runs.Count > 0)
            {
                runs = await WithDetailsAsync(transaction, runs, sql, parameters, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return runs;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Run ReadRun(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        int? Integer(int i) => reader.IsDBNull(i) ? null : Convert.ToInt32(reader.GetValue(i), CultureInfo.InvariantCulture);

        var stored = Text(2) switch
        {
            "succeeded" => RunStatus.Succeeded,
            "failed" => RunStatus.Failed,
            _ => RunStatus.Running,
        };
        var host = Text(22);
        var processId = Integer(23);
        var status = stored == RunStatus.Running && host == Environment.MachineName && processId is { } pid && !IsProcessAlive(pid)
            ? RunStatus.Abandoned
            : stored;
        var errorMessage = Text(17);
        var errorPath = Text(19);
        return new Run
        {
            Id = reader.GetString(0),
            Model = reader.GetString(1),
            Status = status,
            StartedAt = ParseTime(reader.GetString(3)),
            EndedAt = Text(4) is { } ended ? ParseTime(ended) : null,
            CacheKey = Text(5),
            DataDigest = Text(6),
            DeclarationsDigest = Text(7),
            Git = new GitState(Text(8), Integer(9) is { } dirty ? dirty != 0 : null, Text(10)),
            Toolchain = new Toolchain(reader.GetString(11), reader.GetString(12), Text(13)),
            Seed = Integer(14),
            Artifact = Text(15) is { } artifactPath ? new RunArtifact(artifactPath, Text(16)) : null,
            Error = errorMessage is null
                ? null
                : new RunError(errorMessage, Text(18), errorPath is null ? null : new SourceLocation(errorPath, Integer(20) ?? 1, Integer(21) ?? 1)),
            Host = host,
            ProcessId = processId,
            ParentId = Text(24),
        };
    }

    /// <summary>
    /// The runs with their params, metrics and attachment names: one query per table, joined to the query that
    /// chose the runs (not one per run, which made a page of 1,000 runs take 3,000 queries).
    /// </summary>
    private async Task<List<Run>> WithDetailsAsync(DbTransaction transaction, List<Run> runs, string runsSql,
        (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        var parametersOf = runs.ToDictionary(r => r.Id, _ => new OrderedDictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var metricsOf = runs.ToDictionary(r => r.Id, _ => new List<RunMetric>(), StringComparer.Ordinal);
        var attachmentsOf = runs.ToDictionary(r => r.Id, _ => new List<string>(), StringComparer.Ordinal);

        await ReadEachAsync($"SELECT p.run_id, p.name, p.value FROM params p JOIN ({runsSql}) r ON r.id = p.run_id ORDER BY p.seq", parametersOf,
            (reader, parameters) => parameters[reader.GetString(1)] = reader.GetString(2)).ConfigureAwait(false);
        await ReadEachAsync($"SELECT m.run_id, m.name, m.value, m.split, m.slice, m.ci_low, m.ci_high FROM metrics m JOIN ({runsSql}) r ON r.id = m.run_id ORDER BY m.seq", metricsOf,
            (reader, metrics) => metrics.Add(
                new RunMetric(reader.GetString(1), reader.IsDBNull(2) ? double.NaN : reader.GetDouble(2), reader.GetString(3), reader.GetString(4))
                {
                    Interval = MetricInterval.From(reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6)),
                })).ConfigureAwait(false);
        await ReadEachAsync($"SELECT a.run_id, a.name FROM attachments a JOIN ({runsSql}) r ON r.id = a.run_id ORDER BY a.name", attachmentsOf,
            (reader, attachments) => attachments.Add(reader.GetString(1))).ConfigureAwait(false);

        return [.. runs.Select(run => run with { Params = parametersOf[run.Id], Metrics = metricsOf[run.Id], Attachments = attachmentsOf[run.Id] })];

        async Task ReadEachAsync<T>(string sql, Dictionary<string, T> byRun, Action<DbDataReader, T> read)
        {
            await using var command = Command(transaction, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (byRun.TryGetValue(reader.GetString(0), out var details))
                {
                    read(reader, details);
                }
            }
        }
    }
}
