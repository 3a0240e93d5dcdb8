using BenchmarkDotNet.Running;

if (args is ["cpu-time"])
{
    Mlops.Benchmarks.CpuTimes.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
