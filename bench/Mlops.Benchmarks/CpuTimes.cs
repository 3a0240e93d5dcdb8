using System.Diagnostics;
using System.Runtime.InteropServices;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Mlops.Benchmarks -- cpu-time</c>: the scoring and batching
/// cases measured in CPU time as well as wall time. On a machine other work keeps busy, wall time
/// mostly measures the queue for a core; the CPU time a case burns per row does not depend on it.
/// Each case: 3 warm-up rounds, then 15 measured rounds; the minimum and median are printed.
/// </summary>
internal static partial class CpuTimes
{
    private const int ClockThreadCpuTime = 3;
    private const int Rounds = 15;

    /// <summary>
    /// <c>-- cpu-time metrics</c>: what recording one request costs in thread CPU time (issue 14), 1,000,000
    /// recordings a round: the clock alone, metrics off (nothing listens), and metrics exported.
    /// </summary>
    public static void RunMetrics()
    {
        const int Operations = 1_000_000;
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("case | thread CPU per request (min / median) | wall per request (min / median)");
        var time = TimeProvider.System;
        Measure("clock read twice (what the endpoints add when on)", Operations, () =>
        {
            for (var i = 0; i < Operations; i++)
            {
                _ = time.GetElapsedTime(time.GetTimestamp());
            }
        });
        foreach (var (exported, series) in new[] { (false, 1), (true, 1), (true, 4) })
        {
            var bench = new MetricsBenchmarks { Exported = exported, Series = series };
            bench.Setup();
            Measure($"RecordRequest with the clock, {(exported ? "exported" : "off")}, {series} series", Operations, () =>
            {
                for (var i = 0; i < Operations; i++)
                {
                    bench.RecordRequest();
                }
            });
            if (exported && series == 1)
            {
                Measure("RecordError, exported", Operations, () =>
                {
                    for (var i = 0; i < Operations; i++)
                    {
                        bench.RecordError();
                    }
                });
            }

            bench.Cleanup();
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    public static void Run()
    {
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
        using var setup = ServingSetup.Create();
        var raw = setup.RawPredictionEngineLoop();
        var rawBatch = setup.RawDataViewBatch();
        var scoring = new ScoringBenchmarks();
        scoring.Setup();
        Console.WriteLine("case | thread CPU per row (min / median) | wall per row (min / median)");
        Measure("raw PredictionEngine.Predict loop", ServingSetup.Rows, () => raw());
        Measure("raw PredictionEngine.Predict loop, again", ServingSetup.Rows, () => raw());
        Measure("raw ML.NET IDataView transform", ServingSetup.Rows, () => rawBatch());
        Measure("runtime single row: check + route + IScorer", ServingSetup.Rows, () => scoring.RuntimeSingleRow());
        Measure("IScorer.Score alone", ServingSetup.Rows, () => scoring.ScorerSingleRow());
        Measure("InputSchema.Check alone", ServingSetup.Rows, () => scoring.CheckOnly());
        Measure("runtime batch of 10,000", ServingSetup.Rows, () => scoring.RuntimeBatch());
        if (Environment.GetEnvironmentVariable("MLOPS_BENCH_SCORING_ONLY") is "1")
        {
            return;
        }

        scoring.Cleanup();

        Console.WriteLine("batching | callers | process CPU per row (min / median) | wall per row (min / median)");
        foreach (var model in new[] { "churn (ML.NET)", "tiny (ONNX)" })
        {
            foreach (var mode in new[] { "off", "on, 0 ms, 1 batch", "on, 0 ms, 2 batches", "on, 1 ms, 2 batches" })
            {
                foreach (var callers in new[] { 1, 8, 64 })
                {
                    var bench = new BatchingBenchmarks { Model = model, Batching = mode, Callers = callers };
                    bench.Setup();
                    MeasureProcess($"{model} | {mode} | {callers}", 2048, () => bench.Score().GetAwaiter().GetResult());
                    bench.Cleanup();
                }
            }
        }

        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static void Measure(string name, int rows, Action action)
    {
        var cpu = new List<double>();
        var wall = new List<double>();
        for (var round = 0; round < Rounds + 3; round++)
        {
            var startCpu = ThreadCpuNanoseconds();
            var started = Stopwatch.GetTimestamp();
            action();
            var elapsed = Stopwatch.GetElapsedTime(started);
            var spent = ThreadCpuNanoseconds() - startCpu;
            if (round >= 3)
            {
                cpu.Add(spent / 1000.0 / rows);
                wall.Add(elapsed.TotalMicroseconds / rows);
            }
        }

        Console.WriteLine($"{name} | {Summary(cpu)} | {Summary(wall)}");
    }

    /// <summary>Process CPU time (every thread) and wall time per row of an action, 3 warm-up and 15 measured rounds, printed as one table row.</summary>
    internal static void MeasureProcess(string name, int rows, Action action)
    {
        var cpu = new List<double>();
        var wall = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < Rounds + 3; round++)
        {
            process.Refresh();
            var startCpu = process.TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            action();
            var elapsed = Stopwatch.GetElapsedTime(started);
            process.Refresh();
            if (round >= 3)
            {
                cpu.Add((process.TotalProcessorTime - startCpu).TotalMicroseconds / rows);
                wall.Add(elapsed.TotalMicroseconds / rows);
            }
        }

        Console.WriteLine($"{name} | {Summary(cpu)} | {Summary(wall)}");
    }

    private static string Summary(List<double> values)
    {
        values.Sort();
        return $"{values[0]:F2} / {values[values.Count / 2]:F2} us";
    }

    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
