using Spectre.Console;

namespace Mlops.Cli;

/// <summary>What every command writes to and reads the time from; tests pass their own.</summary>
/// <param name="Console">Tables and progress for people.</param>
/// <param name="Out">Plain lines (diagnostics, JSON) that must not be wrapped or decorated.</param>
/// <param name="Error">Errors about the command itself.</param>
/// <param name="Time">The clock.</param>
internal sealed record CliContext(IAnsiConsole Console, TextWriter Out, TextWriter Error, TimeProvider Time);
