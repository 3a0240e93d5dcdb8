// The monitoring demo (`dotnet cake --target=MonitorDemo`): the example released as the pipeline
// releases it, served on loopback with short windows, then normal and drifted traffic, so the
// dashboard shows drift within a minute. Everything happens in a throwaway clone: the user's
// working tree, branches, tags, runs and store are not touched.

// One step of the demo a minute at most, so a stuck server cannot hold the build.
const int DemoStartSeconds = 60;

const string DemoDrift = "monthly_charges*1.3;contract=Month-to-month@0.6;total_charges=@0.33";

void MonitorDemo(string dll, int windowSeconds, double minutes, int port, double rate)
{
    if (windowSeconds < 5 || windowSeconds > 600)
    {
        throw new Exception($"--demo-window-seconds {windowSeconds} is out of range; use 5 to 600.");
    }

    if (minutes <= 0 || minutes > 240)
    {
        throw new Exception($"--demo-minutes {minutes} is out of range; use more than 0 and at most 240.");
    }

    var clone = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlops-demo-" + Guid.NewGuid().ToString("N")[..8]);
    System.Diagnostics.Process server = null;

    // Ctrl+C reaches the server and the replay too (one process group); the demo then ends as it
    // would at its time, cleaning up, instead of leaving the clone behind.
    var stopped = false;
    ConsoleCancelEventHandler onCancel = (_, e) =>
    {
        e.Cancel = true;
        stopped = true;
    };
    Console.CancelKeyPress += onCancel;
    try
    {
        // The committed state of the checked-out branch; uncommitted changes are not in the demo.
        Git("clone", "--quiet", "--no-hardlinks", MakeAbsolute(Directory(".")).FullPath, clone);
        Git("-C", clone, "config", "user.name", "mlops demo");
        Git("-C", clone, "config", "user.email", "demo@mlops.invalid");
        Git("-C", clone, "config", "commit.gpgsign", "false");
        var environmentFile = System.IO.Path.Combine(clone, "environments", "staging.yaml");
        var yaml = System.IO.File.ReadAllText(environmentFile);
        yaml = System.Text.RegularExpressions.Regex.Replace(yaml, @"window: \w+", $"window: {windowSeconds}s");
        yaml = System.Text.RegularExpressions.Regex.Replace(yaml, @"for: \w+", $"for: {windowSeconds}s");
        System.IO.File.WriteAllText(environmentFile, yaml);
        Git("-C", clone, "commit", "--quiet", "-am", $"demo: {windowSeconds}-second monitoring windows");
        Information($"Demo repository: {clone} (a clone; this checkout is not changed).");

        Mlops(dll, "pipeline", "--environment", "staging", "--on-current-branch", "--repo", clone);

        port = port > 0 ? port : FreeLoopbackPort();
        var url = $"http://127.0.0.1:{port}";
        // System.Diagnostics.Process rather than Cake's: Cake's WaitForExit(ms) kills the process when
        // the time is up, and the demo polls the server while it serves.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var argument in new[] { dll, "serve", "--environment", "staging", "--repo", clone, "--urls", url })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Mlops__MonitorEvaluateSeconds"] = "2";
        server = System.Diagnostics.Process.Start(start);
        WaitUntilReady(url, server);

        var until = TimeProvider.System.GetUtcNow().AddMinutes(minutes);
        var data = System.IO.Path.Combine(clone, "data", "telco-churn.csv");
        var perSecond = rate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Information("");
        Information($"Dashboard:  {url}/ui/");
        Information($"Model page: {url}/ui/models/churn");
        Information($"Figures:    {url}/monitoring   {url}/metrics");
        Information($"Serving until Ctrl+C or {until:HH:mm:ss} UTC ({minutes:0.#} min, --demo-minutes).");
        Information("");
        Information($"Window 1 ({windowSeconds} s): rows of data/telco-churn.csv as they are.");
        if (!stopped)
        {
            Mlops(dll, "replay", "--server", url, "--input", data, "--rate", perSecond, "--seconds", windowSeconds.ToString(), "--limit", "100000");
        }

        // Drifted rows from here to the end: the dashboard shows the open window, which would
        // otherwise be empty a window after the traffic stopped.
        Information($"From window 2 to the end: drifted rows ({DemoDrift}); the dashboard shows the drift within a window: {url}/ui/");
        var skip = 3500;
        for (var remaining = until - TimeProvider.System.GetUtcNow(); remaining > TimeSpan.FromSeconds(1) && !server.HasExited && !stopped; remaining = until - TimeProvider.System.GetUtcNow())
        {
            Mlops(dll, "replay", "--server", url, "--input", data, "--skip", skip.ToString(), "--rate", perSecond,
                "--seconds", Math.Ceiling(remaining.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "--limit", "100000", "--drift", DemoDrift);
            skip = 0; // the file ran out before the time did: from its start again
        }

        if (server.HasExited && !stopped)
        {
            throw new Exception($"The server stopped by itself (exit {server.ExitCode}); its output above says why.");
        }

        Information(stopped ? "Stopped by Ctrl+C." : "Demo time is up; stopping the server.");
    }
    catch (Exception) when (stopped)
    {
        // The replay or the server ended because of Ctrl+C: that is the user's stop, not a failure.
        Information("Stopped by Ctrl+C.");
    }
    finally
    {
        Console.CancelKeyPress -= onCancel;
        if (server is not null && !server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit(10_000);
        }

        server?.Dispose();
        DeleteDemoClone(clone);
    }
}

void Git(params string[] arguments)
{
    var args = new ProcessArgumentBuilder();
    foreach (var argument in arguments)
    {
        args.AppendQuoted(argument);
    }

    var exit = StartProcess("git", new ProcessSettings { Arguments = args });
    if (exit != 0)
    {
        throw new Exception($"git {string.Join(" ", arguments)} failed with exit code {exit}.");
    }
}

int FreeLoopbackPort()
{
    var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    probe.Start();
    var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    return port;
}

void WaitUntilReady(string url, System.Diagnostics.Process server)
{
    using var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(5) };
    var started = TimeProvider.System.GetUtcNow();
    while (TimeProvider.System.GetUtcNow() - started < TimeSpan.FromSeconds(DemoStartSeconds))
    {
        if (server.HasExited)
        {
            throw new Exception($"mlops serve stopped at start (exit {server.ExitCode}); its output above says why.");
        }

        try
        {
            if (http.GetAsync(url + "/v2/health/ready").GetAwaiter().GetResult().IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (Exception e) when (e is System.Net.Http.HttpRequestException or TaskCanceledException)
        {
            // Not listening yet.
        }

        System.Threading.Thread.Sleep(500);
    }

    throw new Exception($"{url} was not ready within {DemoStartSeconds} s; mlops serve's output above says why.");
}

void DeleteDemoClone(string clone)
{
    if (!System.IO.Directory.Exists(clone))
    {
        return;
    }

    // Git marks its objects read-only; clear that so the folder can go.
    foreach (var file in System.IO.Directory.EnumerateFiles(clone, "*", System.IO.SearchOption.AllDirectories))
    {
        System.IO.File.SetAttributes(file, System.IO.FileAttributes.Normal);
    }

    System.IO.Directory.Delete(clone, recursive: true);
}
