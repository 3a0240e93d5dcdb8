using System.Diagnostics;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Signals;

/// <summary>
/// <c>mlops train</c> run as its own process and stopped midway, as Ctrl+C, <c>docker stop</c> or a CI
/// timeout stops it: it ends quietly with the shell's code for the signal, its run is recorded as
/// failed (not left running), and no temporary or half-written file is left.
/// </summary>
public sealed class StopSignalTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private readonly ExampleRepository _repo = new();

    public StopSignalTests()
    {
        // Thirty copies of the example's rows: long enough to be stopped while the run is under way.
        var lines = _repo.DataLines;
        File.WriteAllText(_repo.Combine("data/telco-churn.csv"), string.Join('\n', [lines[0], .. Enumerable.Repeat(lines[1..], 30).SelectMany(l => l)]) + "\n");
        _repo.UpdateDataDigest();
    }

    public void Dispose() => _repo.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Database => _repo.Combine(".mlops/tracking.db");

    [Theory]
    [InlineData("TERM", ExitCodes.Terminated, "mlops: stopped by SIGTERM.")]
    [InlineData("INT", ExitCodes.Interrupted, "mlops: stopped by Ctrl+C.")]
    public async Task Train_StoppedBySignal_ExitsWithTheSignalsCodeAndLeavesNothingRunningOrHalfWritten(string signal, int code, string line)
    {
        using var train = DotNetProcess.Start(typeof(MlopsApp).Assembly.Location, ["train", "--repo", _repo.Path], _repo.Path);
        await WaitForARunningRunAsync(train);

        train.Signal(signal);
        var exit = await train.WaitForExitAsync(Limit, Ct);

        Assert.True(exit == code, $"exited {exit}: {train.Error}{train.Out}");
        Assert.Equal(line, Assert.Single(train.ErrorLines));
        Assert.DoesNotContain("   at ", train.Out + train.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(_repo.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(_repo.Combine(".mlops/runs")) && Directory.EnumerateFileSystemEntries(_repo.Combine(".mlops/runs")).Any(),
            "a stopped run left its output folder");
        await using var runs = await RunStore.OpenAsync(Database, cancellationToken: Ct);
        var run = Assert.Single(await runs.ListAsync(cancellationToken: Ct));
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("stopped before it finished", run.Error!.Message, StringComparison.Ordinal);
    }

    /// <summary>Polls the run store the child writes until its run is recorded as running.</summary>
    private async Task WaitForARunningRunAsync(DotNetProcess train)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Limit)
        {
            if (train.Process.HasExited)
            {
                Assert.Fail($"mlops train ended before it could be stopped ({train.Process.ExitCode}): {train.Error}{train.Out}");
            }

            if (File.Exists(Database))
            {
                await using var runs = await RunStore.OpenAsync(Database, cancellationToken: Ct);
                if ((await runs.ListAsync(cancellationToken: Ct)).Any(r => r.Status == RunStatus.Running))
                {
                    return;
                }
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail($"no run started within {Limit}: {train.Error}{train.Out}");
    }
}
