using System.CommandLine;
using System.Globalization;
using Mlops.Pipeline.Replay;

namespace Mlops.Cli.Commands.Replay;

/// <summary>
/// <c>mlops replay --server URL --input FILE [--model M] [--rate N] [--limit N] [--seconds S] [--skip N] [--drift SPEC]</c>:
/// sends a CSV file's rows to a server, one a request at a steady rate, optionally drifted, bounded
/// in rows and time; loopback only unless --allow-remote.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliContext context)
    {
        var server = new Option<string>("--server") { Description = "The server's base address, for example http://127.0.0.1:8080 (loopback unless --allow-remote).", Required = true };
        var input = new Option<FileInfo>("--input") { Description = "The CSV file whose rows are sent (a header naming the model's features; other columns are ignored).", Required = true };
        var model = new Option<string>("--model") { Description = "The served model the rows go to (POST /models/MODEL/predict); without it, the one model the server serves." };
        var rate = new Option<double>("--rate") { Description = $"Rows sent a second, at most {ReplayStage.MaxRate}.", DefaultValueFactory = _ => 20 };
        var limit = new Option<int>("--limit") { Description = $"The most rows sent (at most {ReplayStage.MaxRowsLimit:N0}); the end of the file stops earlier.", DefaultValueFactory = _ => 1000 };
        var seconds = new Option<double>("--seconds") { Description = $"The longest the replay runs, in seconds (at most {ReplayStage.MaxDurationLimit.TotalSeconds}).", DefaultValueFactory = _ => 60 };
        var skip = new Option<int>("--skip") { Description = "Data rows passed over before the first one sent." };
        var drift = new Option<string>("--drift") { Description = "Changes made to the rows: NAME*FACTOR, NAME=VALUE or NAME= (empty), each optionally @SHARE of rows, separated by ';' (for example 'monthly_charges*1.3;contract=Month-to-month@0.5;total_charges=@0.33')." };
        var seed = new Option<int>("--seed") { Description = "Seeds the choice of rows a change with @SHARE applies to.", DefaultValueFactory = _ => 1 };
        var remote = new Option<bool>("--allow-remote") { Description = "Allow a server that is not on this machine." };
        var command = new Command("replay", "Send a CSV file's rows to a server at a steady rate, optionally drifted, to see monitoring work (bounded in rows and time).")
        {
            server, input, model, rate, limit, seconds, skip, drift, seed, remote,
        };
        command.SetAction(async (parse, ct) =>
        {
            var serverText = parse.GetValue(server)!;
            if (!Uri.TryCreate(serverText, UriKind.Absolute, out var address))
            {
                throw new UsageException($"--server '{serverText}' is not an address. Pass the server's base address, for example --server http://127.0.0.1:8080.");
            }

            var file = parse.GetValue(input)!;
            var request = new ReplayRequest(address, parse.GetValue(model), file.FullName, file.ToString())
            {
                Rate = parse.GetValue(rate),
                MaxRows = parse.GetValue(limit),
                MaxDuration = TimeSpan.FromSeconds(Math.Min(parse.GetValue(seconds), TimeSpan.MaxValue.TotalSeconds / 2)),
                Skip = parse.GetValue(skip),
                Drift = ReplayDrift.Parse(parse.GetValue(drift)),
                Seed = parse.GetValue(seed),
                AllowRemote = parse.GetValue(remote),
            };
            return await RunAsync(context, request, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ReplayRequest request, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var changes = request.Drift.Count == 0 ? "as they are" : "changed by " + string.Join("; ", request.Drift.Select(ReplayDrift.Describe));
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"replay: rows of {request.InputDisplay} to {request.Server}, {request.Rate:0.##} a second, at most {request.MaxRows:N0} rows or {request.MaxDuration.TotalSeconds:0.#} s, {changes}")).ConfigureAwait(false);
        var outcome = await ReplayStage.RunAsync(request, http, context.Time, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"replay: sent {outcome.Sent:N0} rows to model {outcome.Model} in {outcome.Elapsed.TotalSeconds:0.0} s: {outcome.Answered:N0} answered, {outcome.Refused:N0} refused")).ConfigureAwait(false);
        if (outcome.FirstRefusal is { } refusal)
        {
            await context.Error.WriteLineAsync($"mlops: the first refused row got {refusal}").ConfigureAwait(false);
        }

        // Refused rows are the data's fault, not the replay's: they are counted and shown, and the
        // replay succeeds when rows got through.
        return outcome.Answered > 0 || outcome.Sent == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
