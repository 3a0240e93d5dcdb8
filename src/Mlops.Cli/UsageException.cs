namespace Mlops.Cli;

/// <summary>The command was called wrongly or with input that does not exist; exits with <see cref="ExitCodes.BadInput"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
