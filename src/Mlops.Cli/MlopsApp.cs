using System.CommandLine;
using Mlops.Cli.Commands.Ci;
using Mlops.Cli.Commands.Data;
using Mlops.Cli.Commands.Diff;
using Mlops.Cli.Commands.Drift;
using Mlops.Cli.Commands.Evaluate;
using Mlops.Cli.Commands.Gate;
using Mlops.Cli.Commands.History;
using Mlops.Cli.Commands.Init;
using Mlops.Cli.Commands.Package;
using Mlops.Cli.Commands.Pipeline;
using Mlops.Cli.Commands.Monitor;
using Mlops.Cli.Commands.Predict;
using Mlops.Cli.Commands.Promote;
using Mlops.Cli.Commands.Register;
using Mlops.Cli.Commands.Replay;
using Mlops.Cli.Commands.Registry;
using Mlops.Cli.Commands.Render;
using Mlops.Cli.Commands.Report;
using Mlops.Cli.Commands.Reproduce;
using Mlops.Cli.Commands.Rollback;
using Mlops.Cli.Commands.Runs;
using Mlops.Cli.Commands.Serve;
using Mlops.Cli.Commands.Train;
using Mlops.Cli.Commands.Ui;
using Mlops.Cli.Commands.Validate;
using Mlops.Cli.Output;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli;

/// <summary>Assembles the <c>mlops</c> commands and runs one. Program.cs and the tests both come through here.</summary>
internal static class MlopsApp
{
    public static RootCommand CreateRoot(CliContext context) =>
        new("mlops: validate, train, gate, package and promote models declared in git.")
        {
            ValidateCommand.Create(context),
            TrainCommand.Create(context),
            EvaluateCommand.Create(context),
            GateCommand.Create(context),
            PackageCommand.Create(context),
            RegisterCommand.Create(context),
            PromoteCommand.Create(context),
            PipelineCommand.Create(context),
            DiffCommand.Create(context),
            CiCommand.Create(context),
            RollbackCommand.Create(context),
            HistoryCommand.Create(context),
            ReproduceCommand.Create(context),
            DataCommand.Create(context),
            RegistryCommand.Create(context),
            RenderCommand.Create(context),
            PredictCommand.Create(context),
            MonitorCommand.Create(context),
            DriftCommand.Create(context),
            ReportCommand.Create(context),
            ReplayCommand.Create(context),
            RunsCommand.Create(context),
            ServeCommand.Create(context),
            UiCommand.Create(context),
            InitCommand.Create(context),
        };

    /// <param name="args">The command line.</param>
    /// <param name="context">Where output goes.</param>
    /// <param name="cancellationToken">Cancelled to stop the command (Ctrl+C, SIGTERM).</param>
    /// <param name="stop">The signal that cancels <paramref name="cancellationToken"/>, for the exit code; tests pass none.</param>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default, StopSignal? stop = null)
    {
        var parse = CreateRoot(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"mlops: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'mlops --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,

                // Signals are StopSignal's: System.CommandLine's own handling would end the process two
                // seconds after Ctrl+C or SIGTERM, wherever the work is (a run left "running").
                ProcessTerminationTimeout = null,
            }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever the stopped work threw on its way out: the command ends quietly, the way the
            // shell expects of a process stopped by a signal. Stages clean up as they unwind.
            await context.Error.WriteLineAsync($"mlops: stopped by {stop?.Name ?? "cancellation"}.").ConfigureAwait(false);
            return stop?.ExitCode ?? ExitCodes.Interrupted;
        }
        catch (CheckFailedException e)
        {
            await DiagnosticOutput.WriteLinesAsync(context.Out, e.Diagnostics).ConfigureAwait(false);
            await context.Error.WriteLineAsync($"mlops: {e.Message.TrimEnd('.')}.").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }
        catch (StageInputException e)
        {
            await context.Error.WriteLineAsync($"mlops: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync($"mlops: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await context.Error.WriteLineAsync($"mlops: internal error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            await context.Error.WriteLineAsync("This is a defect in mlops; please report it with the command you ran. Set MLOPS_DEBUG=1 to print the stack trace.").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("MLOPS_DEBUG") == "1")
            {
                await context.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.InternalError;
        }
    }
}
