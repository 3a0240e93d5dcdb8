using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Cli.Output;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Monitoring;
using Mlops.Runtime.Monitoring;

namespace Mlops.Cli.Commands.Monitor;

/// <summary>
/// <c>mlops monitor check --environment ENV --server URL</c>: the server's live figures read against the
/// environment file: each canary's analysis (complete, abort or wait, with the command) and the
/// retraining trigger. Exits 1 when a job should act (retraining due, or a canary to abort), so a
/// scheduled CI job can start <c>dotnet cake</c> or open the abort.
/// </summary>
internal static class MonitorCommand
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static Command Create(CliContext context)
    {
        var environment = new Option<string>("--environment") { Description = "The environment to check (environments/ENV.yaml).", Required = true };
        var server = new Option<string>("--server") { Description = "A server of that environment, for example http://127.0.0.1:8080 (its GET /monitoring).", Required = true };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON." };
        var timeout = new Option<double>("--timeout-seconds") { Description = "How long to wait for the server.", DefaultValueFactory = _ => 30 };
        var check = new Command("check", "Read a server's live figures against the environment file: canary analysis and the retraining trigger (exit 1 when action is needed).")
        {
            environment, server, repo, json, timeout,
        };
        check.SetAction((parse, ct) => CheckAsync(
            context,
            parse.GetValue(environment)!,
            parse.GetValue(server)!,
            parse.GetValue(repo) ?? new DirectoryInfo("."),
            parse.GetValue(json),
            TimeSpan.FromSeconds(parse.GetValue(timeout)),
            ct));
        return new Command("monitor", "Watch what is served: canary analysis and the retraining trigger.") { check };
    }

    private static async Task<int> CheckAsync(CliContext context, string environment, string serverText, DirectoryInfo repo, bool json, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--server '{serverText}' is not an http:// or https:// address. Pass the server's base address, for example --server http://127.0.0.1:8080.");
        }

        if (!repo.Exists)
        {
            throw new UsageException($"the repository folder '{repo.FullName}' does not exist. Pass an existing folder with --repo.");
        }

        var declarations = await RepositoryLoader.LoadAsync(repo.FullName, cancellationToken).ConfigureAwait(false);
        if (declarations.FindEnvironment(environment) is not { } declared)
        {
            var names = declarations.Environments.Select(e => e.Value.Name).Order(StringComparer.Ordinal);
            throw new UsageException($"there is no environment '{environment}' in {Path.Combine(repo.FullName, "environments")}. It declares: {string.Join(", ", names)}.");
        }

        var report = await FetchAsync(server, timeout, cancellationToken).ConfigureAwait(false);
        MonitorCheckResult result;
        try
        {
            result = MonitorCheck.Evaluate(declared.Value, report);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }

        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer => JsonSerializer.Serialize(writer, new
            {
                result.Environment,
                result.At,
                actionNeeded = result.ActionNeeded,
                canaries = result.Canaries.Select(c => new
                {
                    c.Model,
                    c.CanaryVersion,
                    c.PrimaryVersion,
                    verdict = c.Verdict.ToString().ToLowerInvariant(),
                    c.Command,
                    rules = c.Rules.Select(r => new { r.Description, outcome = r.Outcome.ToString().ToLowerInvariant(), r.Canary, r.Primary, r.Reason }),
                }),
                retrain = result.Retrain,
                firing = result.Firing,
            }, s_json)).ConfigureAwait(false);
        }
        else
        {
            foreach (var line in MonitorCheck.Describe(result))
            {
                await context.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        return result.ActionNeeded ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    private static async Task<MonitorReport> FetchAsync(Uri server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = new Uri(server, "/monitoring");
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(address, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new UsageException($"{address} answered {(int)response.StatusCode} {response.ReasonPhrase}. Is it an Mlops server with monitoring (mlops serve, Mlops.Server)?");
            }

            return await response.Content.ReadFromJsonAsync<MonitorReport>(s_json, cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException($"{address} answered an empty body; expected the monitor report.");
        }
        catch (HttpRequestException e)
        {
            throw new UsageException($"cannot reach {address}: {e.Message}. Check --server and that the server runs.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UsageException($"{address} did not answer within {timeout.TotalSeconds:0.#} s. Check --server, or wait longer with --timeout-seconds.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{address} did not answer a monitor report: {e.Message}");
        }
    }
}
