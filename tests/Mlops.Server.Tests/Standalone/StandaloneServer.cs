using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.Server.Tests.Standalone;

/// <summary>
/// The Mlops.Server executable as a container runs it: <c>dotnet Mlops.Server.dll</c> from the
/// server's own build output (with only its own dependencies, not this test's), as its own process
/// on 127.0.0.1 and a port the system picks.
/// </summary>
public sealed partial class StandaloneServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StandaloneServer(Process process)
    {
        _process = process;
    }

    /// <summary>The server's build output, as the test project's build found it (Mlops.Server.Tests.csproj).</summary>
    public static string ExecutablePath { get; } = typeof(StandaloneServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "MlopsServerPath")?.Value
        ?? throw new InvalidOperationException("The test assembly has no MlopsServerPath metadata; build it with Mlops.Server.Tests.csproj.");

    /// <summary>The server's address, once it listens.</summary>
    public Uri Address => _address.Task.IsCompletedSuccessfully ? _address.Task.Result : throw new InvalidOperationException("The server is not listening yet.");

    /// <summary>What the server wrote so far (standard output and error), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the server with ASP.NET Core command-line settings (<c>--Mlops:Repo=...</c>) and waits until it listens.</summary>
    public static Task<StandaloneServer> StartAsync(IEnumerable<string> settings, CancellationToken cancellationToken) =>
        StartAsync(null, settings, null, cancellationToken);

    /// <summary>
    /// Starts a server and waits until it listens: <paramref name="executable"/> is a publish's own executable
    /// (run as it is, as a container runs it), or null for the build output run with dotnet. With
    /// <c>ASPNETCORE_URLS</c> in <paramref name="environment"/> the address comes from there instead of <c>--urls</c>;
    /// a null value there removes the variable.
    /// </summary>
    public static async Task<StandaloneServer> StartAsync(string? executable, IEnumerable<string> settings, IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken)
    {
        var program = executable ?? ExecutablePath;
        if (!File.Exists(program))
        {
            throw new FileNotFoundException($"{program} does not exist; build src/Mlops.Server first.", program);
        }

        var start = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(ExecutablePath);
        }

        // The server reads these when its settings leave a value out: this test sets everything itself.
        start.Environment.Remove("MLOPS_STORE");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        if (environment?.ContainsKey("ASPNETCORE_URLS") != true)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
        }

        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new StandaloneServer(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.Exited += (_, _) => server._address.TrySetException(new InvalidOperationException($"the server exited before it listened:\n{server.Output}"));
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet could not be started.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server._address.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started, or has gone already.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
