using Mlops.Cli;
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await MlopsApp.RunAsync(args, new CliContext(AnsiConsole.Console, Console.Out, Console.Error, TimeProvider.System), cancel.Token);
