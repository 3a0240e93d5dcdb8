using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.Cli.Commands.Ui;
using Mlops.Pipeline.Tracking;
using Mlops.Runtime.Git;
using Mlops.Server.Hosting;
using Mlops.Server.Ui.Catalog;

namespace Mlops.Cli.Commands.Serve;

/// <summary><c>mlops serve --environment ENV</c>: serve what the environment file pins, following every change.</summary>
internal static class ServeCommand
{
    public sealed record Settings(string Environment, string Repo, string? Git, string Branch, string? Store, string? Urls, TimeSpan PollInterval, string? AdminToken);

    public static Command Create(CliContext context)
    {
        var environment = new Option<string>("--environment") { Description = "The environment to serve (environments/ENV.yaml).", Required = true };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository folder holding the environment file; defaults to the current folder." };
        var git = new Option<string?>("--git") { Description = "A git remote (https URL) to poll for the environment file instead of a folder; a token comes from MLOPS_GIT_TOKEN or GITHUB_TOKEN, else the git credential helper." };
        var branch = new Option<string>("--branch") { Description = "The branch of --git to follow.", DefaultValueFactory = _ => "main" };
        var store = StoreOption.Create();
        var urls = new Option<string?>("--urls")
        {
            Description = $"Where to listen. Without it, ASP.NET Core's settings apply (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints in appsettings); with none of them, {ServerAddresses.Default}.",
        };
        var poll = new Option<double>("--poll-seconds") { Description = "How often the environment file is read again (the folder is also watched).", DefaultValueFactory = _ => 30 };
        var command = new Command("serve", "Serve the models an environment file pins (Open Inference Protocol v2 and /models/NAME/predict), following every change of the file.")
        {
            environment, repo, git, branch, store, urls, poll,
        };
        command.SetAction((parse, ct) => RunAsync(context, new Settings(
            parse.GetValue(environment)!,
            (parse.GetValue(repo) ?? new DirectoryInfo(".")).FullName,
            parse.GetValue(git),
            parse.GetValue(branch)!,
            parse.GetValue(store),
            parse.GetValue(urls),
            TimeSpan.FromSeconds(parse.GetValue(poll)),
            System.Environment.GetEnvironmentVariable("MLOPS_ADMIN_TOKEN")), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.PollInterval < TimeSpan.FromMilliseconds(10))
        {
            await context.Error.WriteLineAsync($"error: --poll-seconds {settings.PollInterval.TotalSeconds} is too small; use at least 0.01.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using var app = MlopsServer.Build(settings.Urls is { } given ? ["--urls", given] : [], o =>
        {
            o.Environment = settings.Environment;
            o.Repo = settings.Repo;
            o.GitUrl = settings.Git;
            o.Branch = settings.Branch;
            o.Store = settings.Store;
            o.PollInterval = settings.PollInterval;
            o.AdminToken = settings.AdminToken ?? o.AdminToken;
        }, services => services.AddSingleton<IRepositoryCatalog>(new RepositoryCatalog(settings.Repo, TrackingLocation.Resolve(settings.Repo), context.Time)));
        try
        {
            await ServerStartup.StartAsync(app, cancellationToken).ConfigureAwait(false);
        }
        catch (ServerStartupException e)
        {
            await ServerStartup.WriteAsync(context.Error, "mlops", e).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await context.Out.WriteLineAsync($"Serving environment '{settings.Environment}' from {(settings.Git is { } git ? GitRemoteUrl.WithoutUserInfo(git) : settings.Repo)} on {string.Join(", ", app.Urls)} (GET /status; Ctrl+C stops).").ConfigureAwait(false);
        try
        {
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C.
        }

        return ExitCodes.Success;
    }
}
