using Mlops.Cli;
using Spectre.Console;

using var stop = new StopSignal();
return await MlopsApp.RunAsync(args, new CliContext(AnsiConsole.Console, Console.Out, Console.Error, TimeProvider.System), stop.Token, stop);
