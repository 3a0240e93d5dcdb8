using BenchmarkDotNet.Attributes;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Runtime.Serving;

namespace Mlops.Benchmarks;

/// <summary>
/// What the prediction log costs the request thread (issue 14): the explicit copy of a checked
/// single row of the example (19 features) and the whole hand-over (copy, time stamp, queue write)
/// while the background writer drains the queue into files, as in the server. A benchmark hands over
/// millions of rows a second, far faster than any writer: the queue (1,024 here, so that queued rows
/// do not fill the heap and time garbage collections instead) is full most of the time and most
/// hand-overs end in the drop path, which does the same work (copy, time stamp, item, queue lock)
/// but calls the drop counter instead of inserting. Written and dropped counts are printed at the end.
/// </summary>
[MemoryDiagnoser]
public class PredictionLogBenchmarks
{
    private ServingSetup _setup = null!;
    private FeatureBatch[] _rows = [];
    private ServedBatch[] _answers = [];
    private PredictionLogWriter _writer = null!;
    private string _folder = "";
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _setup = ServingSetup.Create();
        _rows = [.. _setup.CleanRows.Take(1024)];
        _answers = [.. _rows.Select(r => new ServedBatch(_setup.Scorer.Score(r), "churn", 1, "sha256:" + new string('a', 64), "bench", ServedRole.Primary))];
        // tmpfs when there is one: the figure is the request thread's, not the disk's.
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        _folder = Path.Combine(root, "mlops-predlog-bench-" + Guid.NewGuid().ToString("N"));
        var options = new PredictionLogOptions { Folder = _folder, QueueCapacity = 1024, MaxTotalBytes = 256L * 1024 * 1024, MaxFileBytes = 32L * 1024 * 1024 };
        _writer = new PredictionLogWriter(options, new LiveQuality(options.RememberedPredictions, options.LabelledPerVersion, (_, _) => null), TimeProvider.System, Console.WriteLine);
        _writer.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var status = _writer.Status;
        Console.WriteLine($"// prediction log: written {status.Written}, dropped {status.Dropped}, failed {status.Failed}");
        Directory.Delete(_folder, recursive: true);
        _setup.Dispose();
    }

    /// <summary>The explicit copy of one checked row.</summary>
    [Benchmark(Baseline = true)]
    public FeatureBatch CopyRow() => _rows[_next++ & 1023].Copy();

    /// <summary>The request thread's whole part: copy, time stamp, queue write.</summary>
    [Benchmark]
    public void HandOver()
    {
        var i = _next++ & 1023;
        _writer.TryWrite("0123456789abcdef0123456789abcdef", null, _setup.Schema, _rows[i], _answers[i]);
    }
}
