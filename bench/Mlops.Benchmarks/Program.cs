using BenchmarkDotNet.Running;

if (args is ["cpu-time", "metrics"])
{
    Mlops.Benchmarks.CpuTimes.RunMetrics();
    return;
}

if (args is ["cost"])
{
    // docs/cost.md: CPU per prediction of the ML.NET and ONNX paths (issue 17).
    await Mlops.Benchmarks.ServingCost.RunAsync();
    return;
}

if (args is ["cpu-time"])
{
    Mlops.Benchmarks.CpuTimes.Run();
    return;
}

if (args is ["predlog-load", ..])
{
    // The prediction log's load check (issue 14): predlog-load [RATE] [SECONDS] [CONNECTIONS] [on|off].
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    Environment.ExitCode = await Mlops.Benchmarks.PredictionLogLoad.RunAsync(Arg(1, 10_000), Arg(2, 30), Arg(3, 32), args.Length <= 4 || args[4] != "off");
    return;
}

if (args is ["profile", var what, var seconds])
{
    // A plain loop of one benchmark for a profiler (perf record -e cpu-clock with DOTNET_PerfMapEnabled=1).
    var scoring = new Mlops.Benchmarks.ScoringBenchmarks();
    scoring.Setup();
    var until = System.Diagnostics.Stopwatch.StartNew();
    long loops = 0;
    while (until.Elapsed.TotalSeconds < double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture))
    {
        _ = what switch
        {
            "check" => scoring.CheckOnly(),
            "single" => (int)scoring.RuntimeSingleRow(),
            "byname" => (int)scoring.RuntimeSingleRowByName(),
            "score" => (int)scoring.ScorerSingleRow(),
            _ => (int)scoring.RawPredictionEngine(),
        };
        loops++;
    }

    Console.WriteLine($"{what}: {until.Elapsed.TotalMilliseconds * 1e6 / (loops * Mlops.Benchmarks.ServingSetup.Rows):F0} ns per row");
    scoring.Cleanup();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Mlops.Benchmarks.ServingSetup).Assembly).Run(args);
