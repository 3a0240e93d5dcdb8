using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Pipeline.Tracking;
using Mlops.Server.Hosting;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Hosting;

namespace Mlops.Cli.Commands.Ui;

/// <summary>
/// <c>mlops ui [--repo DIR] [--urls URL]</c>: the repository's runs, registry and history pages on loopback, as
/// <c>mlflow ui</c> shows runs, with the server's access rules (loopback only unless a viewer token is set).
/// </summary>
internal static class UiCommand
{
    /// <summary>Where the pages listen unless --urls says otherwise; a free loopback port when this one is taken.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5050";

    public sealed record Settings(string Repo, string? TrackingDb, string? Urls);

    public static Command Create(CliContext context)
    {
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var trackingDb = new Option<string>("--tracking-db")
        {
            Description = TrackingLocation.OptionDescription,
        };
        var urls = new Option<string?>("--urls") { Description = $"Where to listen. The default is {DefaultUrl}, or a free loopback port when that one is taken." };
        var command = new Command("ui", "Browse the repository's runs, registry and promotion history in a web browser (read-only pages on loopback; Ctrl+C stops).")
        {
            repo, trackingDb, urls,
        };
        command.SetAction((parse, ct) =>
        {
            var folder = parse.GetValue(repo) ?? new DirectoryInfo(".");
            if (!folder.Exists)
            {
                throw new UsageException($"the repository folder '{folder.FullName}' does not exist. Pass an existing folder with --repo.");
            }

            return RunAsync(context, new Settings(folder.FullName, parse.GetValue(trackingDb), parse.GetValue(urls)), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var catalog = new RepositoryCatalog(settings.Repo, TrackingLocation.Resolve(settings.Repo, settings.TrackingDb), context.Time);
        var urls = settings.Urls ?? DefaultUrl;
        var app = Build(urls, catalog, context.Time);
        try
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (settings.Urls is null && e.InnerException is AddressInUseException)
            {
                // The default port is a convenience, not a promise: another mlops ui (or anything else) may hold it.
                await app.DisposeAsync().ConfigureAwait(false);
                app = Build("http://127.0.0.1:0", catalog, context.Time);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && ServerStartup.Describe(e, urls) is { } message)
        {
            await ServerStartup.WriteAsync(context.Error, "mlops", new ServerStartupException(message, e)).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using (app.ConfigureAwait(false))
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? urls;
            await context.Out.WriteLineAsync($"mlops ui: {address.TrimEnd('/')}/ui/runs shows the runs, registry and history of {settings.Repo} (Ctrl+C stops).").ConfigureAwait(false);
            try
            {
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the usual way to stop it.
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>The host of the UI alone: no model host, no monitor; the overview says nothing is served here.</summary>
    private static WebApplication Build(string urls, IRepositoryCatalog catalog, TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The address is printed as one line of its own; the host's "Now listening on" lines would repeat it.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // A failed start is reported as one line below; the host would also log it with its stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", ServerStartup.IsDebug ? LogLevel.Information : LogLevel.Critical);
        // The access rules are the server's: Mlops:Ui:ViewerToken (Mlops__Ui__ViewerToken) and Mlops:Ui:Open apply here too.
        builder.Services.AddOptions<ServeOptions>().Bind(builder.Configuration.GetSection(ServeOptions.Section));
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(catalog);
        var app = builder.Build();
        app.MapUi();
        return app;
    }
}
