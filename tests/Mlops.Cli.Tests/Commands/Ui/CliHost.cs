using Mlops.Testing;
using Spectre.Console;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary>
/// A long-running <c>mlops</c> command (<c>ui</c>, <c>serve</c>) started in process on a free port of 127.0.0.1,
/// stopped the way Ctrl+C stops it (its cancellation token), with what it wrote.
/// </summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;

    private CliHost(Uri address, CancellationTokenSource stop, Task<int> exit, StringWriter output, StringWriter error)
    {
        Address = address;
        _stop = stop;
        Exit = exit;
        Output = output;
        Error = error;
    }

    public Uri Address { get; }

    public Task<int> Exit { get; }

    public StringWriter Output { get; }

    public StringWriter Error { get; }

    /// <summary>Runs <c>mlops ARGS --urls http://127.0.0.1:PORT</c> and waits until <paramref name="readyPath"/> answers, or the command ends.</summary>
    public static async Task<CliHost> StartAsync(string readyPath, params string[] args)
    {
        int port;
        using (var held = new HeldPort())
        {
            port = held.Port;
        }

        var address = new Uri($"http://127.0.0.1:{port}");
        var output = new StringWriter();
        var error = new StringWriter();
        var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });
        var context = new CliContext(console, output, error, TimeProvider.System);
        var exit = Task.Run(() => MlopsApp.RunAsync([.. args, "--urls", address.ToString().TrimEnd('/')], context, stop.Token));
        using var http = new HttpClient { BaseAddress = address };
        for (var attempt = 0; attempt < 600 && !exit.IsCompleted; attempt++)
        {
            try
            {
                using var answer = await http.GetAsync(readyPath, TestContext.Current.CancellationToken);
                break;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        return new CliHost(address, stop, exit, output, error);
    }

    /// <summary>Stops it as Ctrl+C does and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Exit;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
