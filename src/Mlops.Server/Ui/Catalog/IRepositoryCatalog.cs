namespace Mlops.Server.Ui.Catalog;

/// <summary>
/// What the runs, registry and history pages read from a repository: tracked runs, registered versions and the
/// promotion history of the environment files. The server cannot reference the pipeline, which owns those
/// concepts, so the pages depend on this read-only seam and <c>mlops serve</c> and <c>mlops ui</c> register an
/// implementation over it. The standalone server registers none, and the pages say where to see them instead.
/// </summary>
public interface IRepositoryCatalog
{
    /// <summary>The repository the catalog reads (a folder), shown in the pages' footnotes.</summary>
    string Source { get; }

    /// <summary>The latest runs, newest first.</summary>
    /// <param name="model">Only this model's runs; null for every model.</param>
    /// <param name="limit">How many at most.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    Task<IReadOnlyList<RunView>> RunsAsync(string? model, int limit, CancellationToken cancellationToken);

    /// <summary>The run with exactly this id, or null.</summary>
    /// <param name="id">The run's full id.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    Task<RunView?> RunAsync(string id, CancellationToken cancellationToken);

    /// <summary>Runs side by side: the first is the baseline every delta is measured against.</summary>
    /// <param name="ids">Two or more full run ids.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The comparison, or null when an id names no run.</returns>
    Task<RunComparisonView?> CompareAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken);

    /// <summary>Every registered model with its versions (oldest first) and the environments that pin each now.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    Task<IReadOnlyList<RegisteredModelView>> RegistryAsync(CancellationToken cancellationToken);

    /// <summary>The names of the environments declared at HEAD.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    Task<IReadOnlyList<string>> EnvironmentsAsync(CancellationToken cancellationToken);

    /// <summary>The commits that changed an environment file, newest first, with what each changed; null for an unknown environment.</summary>
    /// <param name="environment">The environment's name.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    Task<EnvironmentHistoryView?> HistoryAsync(string environment, CancellationToken cancellationToken);
}
