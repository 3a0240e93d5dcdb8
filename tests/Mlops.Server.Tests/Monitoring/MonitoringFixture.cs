using System.Globalization;
using Mlops.Runtime.Data;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Server.Tests.Monitoring;

/// <summary>
/// The example churn model trained, evaluated and packaged by the pipeline's own stages (version 1),
/// and a deliberately weak version 2 trained on the same rows with the labels shuffled (it has learned
/// nothing, so its live AUC is near 0.5), both in a folder store; the example repository under git,
/// so that alerts can name the last promotion. The rows of the data file are kept, by feature name,
/// with their true labels, to be sent as traffic and feedback. Built once per test class.
/// </summary>
public sealed class MonitoringFixture : IAsyncLifetime
{
    public ExampleRepository Repository { get; } = new();

    public TempDirectory StoreFolder { get; } = new("mlops-monitoring-store");

    /// <summary>The good model's bundle digest.</summary>
    public string Good { get; private set; } = "";

    /// <summary>The weak model's bundle digest.</summary>
    public string Weak { get; private set; } = "";

    /// <summary>The feature set's schema digest, for pins.</summary>
    public string SchemaDigest { get; private set; } = "";

    /// <summary>The example's rows by feature name (numbers as doubles, empty fields as null) and each row's label.</summary>
    public IReadOnlyList<(Dictionary<string, object?> Features, bool Churned)> Rows { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var declarations = await Mlops.Declarations.Repository.RepositoryLoader.LoadAsync(Repository.Path, cancellationToken);
        var bools = declarations.FeatureSets.Single().Value.Features.Where(f => f.Type == Mlops.Declarations.FeatureSets.FeatureType.Bool).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Rows = await ReadRowsAsync(Repository.Combine("data/telco-churn.csv"), bools, cancellationToken);
        var store = new LocalFolderStore(StoreFolder.Path);
        Good = await PackageAsync(store, cancellationToken);

        // The weak version: the same rows with the labels shuffled (seeded), in a file of its own.
        var lines = Repository.DataLines;
        var labels = lines.Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]).ToArray();
        new Random(11).Shuffle(labels);
        Repository.Write("data/telco-weak.csv", string.Join('\n', [lines[0], .. lines.Skip(1).Select((l, i) => labels[i] + l[l.IndexOf(',', StringComparison.Ordinal)..])]) + "\n");
        var model = Repository.Read("models/churn.yaml");
        Repository.Write("models/churn.yaml", model
            .Replace("path: data/telco-churn.csv", "path: data/telco-weak.csv", StringComparison.Ordinal)
            .Replace(DigestIn(model), SyntheticRepository.Digest(Repository, "data/telco-weak.csv"), StringComparison.Ordinal));
        Weak = await PackageAsync(store, cancellationToken);
        Repository.Write("models/churn.yaml", model);
        Git.InitAndCommit(Repository.Path, "The example, trained");
    }

    /// <summary>An environment file pinning the good version, with a canary of <paramref name="canary"/> when given, and the monitoring block.</summary>
    public string Environment(string monitoring, string? canary = null, int weight = 50) =>
        $"""
        environment: staging
        models:
          - model: churn
            version: 1
            digest: {Good}
            featureSet: customer@1
            featureSetDigest: {SchemaDigest}
        {(canary is null ? "" : $"    canary: {{ version: 2, digest: {canary}, weight: {weight.ToString(CultureInfo.InvariantCulture)} }}\n")}monitoring:
        {monitoring}
        """;

    public ValueTask DisposeAsync()
    {
        Repository.Dispose();
        StoreFolder.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> PackageAsync(LocalFolderStore store, CancellationToken cancellationToken)
    {
        await using var workspace = await Workspace.OpenAsync(Repository.Path, trackingDb: null, TimeProvider.System, cancellationToken);
        var (model, features) = workspace.Models("churn").Single();
        await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
        await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
        SchemaDigest = workspace.Declarations.FeatureSets.Single().Value.SchemaDigest;
        return (await PackageStage.RunAsync(workspace, model, features, store, register: false, cancellationToken)).Digest;
    }

    private static string DigestIn(string model)
    {
        var start = model.IndexOf("sha256:", StringComparison.Ordinal);
        return model.Substring(start, "sha256:".Length + 64);
    }

    private static async Task<IReadOnlyList<(Dictionary<string, object?>, bool)>> ReadRowsAsync(string path, HashSet<string> bools, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(path);
        var rows = new List<(Dictionary<string, object?>, bool)>();
        string[]? header = null;
        await foreach (var record in CsvReader.ReadAsync(text, cancellationToken))
        {
            if (header is null)
            {
                header = record.Fields;
                continue;
            }

            var features = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 1; i < header.Length; i++)
            {
                var field = record.Fields[i];
                features[header[i]] = field.Length == 0 ? null
                    : bools.Contains(header[i]) ? field == "1"
                    : double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : field;
            }

            rows.Add((features, record.Fields[0] == "Yes"));
        }

        return rows;
    }
}
