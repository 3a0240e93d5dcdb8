using Mlops.Declarations.Repository;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;

namespace Mlops.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Mlops.Benchmarks -- cost</c> (docs/cost.md): the example
/// trained, evaluated and packaged by the pipeline's stages into a temporary store, its bundle loaded
/// twice as the server loads it (<see cref="Scorers.Load"/> with ML.NET, then with the bundle's
/// <c>model.onnx</c> through ONNX Runtime), and 10,000 request rows (the data file's rows, repeated)
/// checked by the input schema and scored: one row per call, batches of 100, one batch of 10,000.
/// Process CPU time (every thread, ONNX Runtime's pool included) and wall time per prediction, 3
/// warm-up and 15 measured rounds; CPU microseconds per prediction are CPU-seconds per 1,000,000.
/// </summary>
internal static class ServingCost
{
    public static async Task RunAsync()
    {
        Console.WriteLine($"date: {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC; load average: {File.ReadAllText("/proc/loadavg").Trim()}; {Environment.ProcessorCount} cores");
        using var setup = ServingSetup.Create();
        var bundle = await PackageExampleAsync();
        Console.WriteLine($"bundle: {string.Join(", ", bundle.EntryNames)}; onnx check: {bundle.Manifest.Onnx?.RowsCompared} rows, max difference {bundle.Manifest.Onnx?.MaxAbsoluteDifference:G3}");
        var schema = setup.Schema;
        var problems = new List<string>();
        var singles = setup.SingleRowRequests;
        var hundreds = Enumerable.Range(0, ServingSetup.Rows / 100)
            .Select(i => ServingSetup.ByColumn([.. setup.RequestRows.Skip(i * 100).Take(100)], setup.FeatureSet)
                .Select(c => KeyValuePair.Create(c.Key, FeatureColumn.Of(c.Value))).ToList())
            .ToList();
        var all = setup.RequestColumns.Select(c => KeyValuePair.Create(c.Key, FeatureColumn.Of(c.Value))).ToList();

        Console.WriteLine("runtime | request | process CPU per prediction, us = CPU-s per 1,000,000 (min / median) | wall per prediction, us (min / median)");
        foreach (var runtime in new[] { ModelFormat.MlNet, ModelFormat.Onnx })
        {
            var scorer = Scorers.Load(bundle, runtime);
            var name = runtime == ModelFormat.Onnx ? "ONNX Runtime" : "ML.NET";
            if (runtime == ModelFormat.Onnx && scorer is not OnnxScorer)
            {
                throw new InvalidOperationException("the example's bundle carries no model.onnx: the ONNX path cannot be measured.");
            }

            Measure(name, "single row (check + score), 10,000 calls", () =>
            {
                foreach (var request in singles)
                {
                    scorer.Score(schema.CheckColumns(request, problems, out _));
                }
            });
            Measure(name, "batch of 100 (check + score), 100 calls", () =>
            {
                foreach (var request in hundreds)
                {
                    scorer.Score(schema.CheckColumns(request, problems, out _));
                }
            });
            Measure(name, "batch of 10,000 (check + score), 1 call", () => scorer.Score(schema.CheckColumns(all, problems, out _)));
            (scorer as IDisposable)?.Dispose();
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("request rows were refused: " + string.Join(" ", problems.Take(3)));
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>The example through train, evaluate and package (no registration), as <c>dotnet cake</c> runs them.</summary>
    private static async Task<Bundle> PackageExampleAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "mlops-cost-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var folder in new[] { "features", "models", "data" })
            {
                CopyFolder(ServingSetup.RepositoryFile(folder), Path.Combine(root, folder));
            }

            var store = new LocalFolderStore(Path.Combine(root, "store"));
            string digest;
            await using (var workspace = await Workspace.OpenAsync(root, trackingDb: null, TimeProvider.System, CancellationToken.None))
            {
                var (model, features) = workspace.Models("churn").Single();
                await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, CancellationToken.None);
                await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, CancellationToken.None);
                digest = (await PackageStage.RunAsync(workspace, model, features, store, register: false, CancellationToken.None)).Digest;
            }

            using var bytes = new MemoryStream();
            await store.CopyToAsync(digest, bytes, CancellationToken.None);
            return Bundle.Read(bytes.ToArray());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }

    private static void Measure(string runtime, string request, Action action) => CpuTimes.MeasureProcess($"{runtime} | {request}", ServingSetup.Rows, action);
}
