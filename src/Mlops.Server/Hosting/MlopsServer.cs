using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Store;
using Mlops.Server.Endpoints;
using Mlops.Server.Ui.Hosting;

namespace Mlops.Server.Hosting;

/// <summary>Builds the serving host: the Mlops.Server executable and <c>mlops serve</c> both come through here.</summary>
public static class MlopsServer
{
    /// <summary>Builds the web application: configuration (including the <c>Mlops</c> section), the model host, the endpoints.</summary>
    /// <param name="args">Command-line arguments (ASP.NET Core's: <c>--urls</c>, <c>--Mlops:Environment=staging</c>, ...).</param>
    /// <param name="configure">Overrides applied after configuration is bound.</param>
    /// <param name="services">Registers what the host adds (<c>mlops serve</c> adds the UI's repository catalog).</param>
    public static WebApplication Build(string[] args, Action<ServeOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (!ServerAddresses.AreConfigured(builder.Configuration))
        {
            builder.WebHost.UseUrls(ServerAddresses.Default);
        }

        Configure(builder, configure);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        Map(app);
        return app;
    }

    /// <summary>Registers the server's services on a builder (tests use it through WebApplicationFactory).</summary>
    public static void Configure(WebApplicationBuilder builder, Action<ServeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Per-request logs cost about a third of the throughput (FACTS.md): the framework's request
        // logging is off unless configuration turns it back on.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // A start that fails for an ordinary reason (a taken port, a missing file) is reported as one
        // line by ServerStartup; the host would also log it with its stack trace. MLOPS_DEBUG=1 keeps that.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", ServerStartup.IsDebug ? LogLevel.Information : LogLevel.Critical);
        builder.Services.AddOptions<ServeOptions>()
            .Bind(builder.Configuration.GetSection(ServeOptions.Section))
            .PostConfigure(o => configure?.Invoke(o))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ServeOptions>, BatchingOptionsValidation>();
        builder.Services.TryAddTimeProvider();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddProblemDetails();
        // One meter per host, from the host's own meter factory: servers started side by side in one
        // process (tests, mlops serve next to a test host) never count each other's requests.
        builder.Services.AddSingleton(s => new MlopsMetrics(s.GetService<IMeterFactory>()));
        builder.Services.AddSingleton<PrometheusExporter>();
        builder.Services.AddSingleton(CreateHost);
        builder.Services.AddSingleton<PredictionLog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PredictionLog>());
        builder.Services.AddHostedService<ReconcileService>();
        builder.Services.AddSingleton<MonitorService>();
        builder.Services.AddHostedService(s => s.GetRequiredService<MonitorService>());
    }

    /// <summary>Maps every endpoint.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseInferenceToken();
        app.MapHealth();
        app.MapInference();
        app.MapPredict();
        app.MapStatus();
        app.MapMonitoring();
        app.MapFeedback();
        app.MapUi();
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static ModelHost CreateHost(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServeOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Mlops.Server.Shadow");
        var repo = Path.GetFullPath(options.Repo);
        var cache = Path.GetFullPath(options.CacheFolder ?? Path.Combine(repo, ".mlops", "serve-cache"));
        IDesiredStateSource source = options.GitUrl is { Length: > 0 } url
            ? new GitDesiredStateSource(url, options.Branch, options.Environment, Path.Combine(cache, "git"))
            : new FolderDesiredStateSource(repo, options.Environment);
        if (options.Metrics?.Enabled != false)
        {
            // The exporter listens from before the first reconcile, so no count is missed; off, nothing listens and recording is a flag check.
            services.GetRequiredService<PrometheusExporter>();
        }

        var store = BundleStoreFactory.Create(repo, options.Store);
        var hostOptions = new ModelHostOptions
        {
            CacheFolder = Path.Combine(cache, "bundles"),
            PollInterval = options.PollInterval,
            RetainPrevious = options.RetainPrevious,
            Batching = options.Batching,
            Runtime = options.RuntimeFormat ?? ModelFormat.MlNet,
        };
        return new ModelHost(source, store, options.Environment, hostOptions, services.GetRequiredService<TimeProvider>(), shadow => LogShadow(logger, shadow),
            services.GetRequiredService<MlopsMetrics>());
    }

    private static void LogShadow(ILogger logger, ShadowResult shadow)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        for (var i = 0; i < shadow.Returned.Predictions.Count; i++)
        {
            logger.LogInformation(
                "Shadow {Model} v{ShadowVersion}: score {ShadowScore}, returned v{ReturnedVersion} score {ReturnedScore}{Error}",
                shadow.Model, shadow.ShadowVersion, shadow.Predictions?.Scores[i], shadow.Returned.Version, shadow.Returned.Predictions.Scores[i], shadow.Error is null ? "" : "; error: " + shadow.Error);
        }
    }
}

/// <summary>Runs the model host's reconcile loop for the application's lifetime.</summary>
internal sealed class ReconcileService(ModelHost host, ILogger<ReconcileService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Serving environment {Environment} from {Source}", host.Status.Environment, host.Status.Source);
        await host.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
