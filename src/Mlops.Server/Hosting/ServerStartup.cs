using System.Net.Sockets;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Store;

namespace Mlops.Server.Hosting;

/// <summary>
/// The server cannot start as configured: the message is one line saying what is wrong and what to
/// do (a taken port, an address that is not one, a missing environment file, a store that cannot be
/// read, an invalid setting). Both the standalone server and <c>mlops serve</c> print it and exit 2.
/// </summary>
/// <param name="message">What is wrong and what to do.</param>
/// <param name="innerException">The failure underneath, printed only with <c>MLOPS_DEBUG=1</c>.</param>
public sealed class ServerStartupException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Starts a built server: first checks what can be checked before listening (the environment file,
/// the store folder, the options), then starts the host and turns the failures people cause into a
/// <see cref="ServerStartupException"/>. Anything else is a defect and is rethrown as it is.
/// </summary>
public static class ServerStartup
{
    /// <summary>The variable that, set to <c>1</c>, prints the failure's stack trace as well.</summary>
    public const string DebugVariable = "MLOPS_DEBUG";

    /// <summary>Checks the configuration and starts <paramref name="app"/>.</summary>
    /// <param name="app">A server from <see cref="MlopsServer.Build"/>.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <exception cref="ServerStartupException">The server cannot start as configured.</exception>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            Check(app.Services.GetRequiredService<IOptions<ServeOptions>>().Value);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServerStartupException)
        {
            throw;
        }
        catch (Exception e) when (Describe(e, app.Configuration[WebHostDefaults.ServerUrlsKey]) is { } message)
        {
            throw new ServerStartupException(message, e);
        }
    }

    /// <summary>
    /// Runs the standalone server until it is stopped: 0 after a normal stop (Ctrl+C, SIGTERM), 2 when
    /// it cannot start, with the reason on <paramref name="error"/> as one line.
    /// </summary>
    /// <param name="app">A server from <see cref="MlopsServer.Build"/>; this method disposes it.</param>
    /// <param name="error">Where the reason goes.</param>
    public static async Task<int> RunAsync(WebApplication app, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await StartAsync(app).ConfigureAwait(false);
        }
        catch (ServerStartupException e)
        {
            if (Assembly.GetEntryAssembly() != typeof(ServerStartup).Assembly)
            {
                // A test host runs this entry point (WebApplicationFactory): it reports the failure the
                // entry point throws, so the failure is thrown as it came, not turned into an exit code.
                // The app is not disposed here: the factory still reads its services on its own thread
                // while it waits for the start, and a disposed provider would hide this failure behind
                // an ObjectDisposedException. The factory disposes the host.
                ExceptionDispatchInfo.Capture(e.InnerException ?? e).Throw();
            }

            await WriteAsync(error, "Mlops.Server", e).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return 2;
        }

        try
        {
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes <c>PREFIX: message</c>, and the stack trace underneath when <see cref="DebugVariable"/> is 1.</summary>
    /// <param name="error">Where to write.</param>
    /// <param name="prefix">The program's name.</param>
    /// <param name="exception">The failure.</param>
    public static async Task WriteAsync(TextWriter error, string prefix, ServerStartupException exception)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(exception);
        await error.WriteLineAsync($"{prefix}: {exception.Message}").ConfigureAwait(false);
        if (IsDebug && exception.InnerException is { } inner)
        {
            await error.WriteLineAsync(inner.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <see cref="DebugVariable"/> asks for stack traces.</summary>
    public static bool IsDebug => Environment.GetEnvironmentVariable(DebugVariable) == "1";

    /// <summary>What can be checked before the host starts; everything the server needs that a typo can break.</summary>
    private static void Check(ServeOptions options)
    {
        var repo = Path.GetFullPath(options.Repo);
        if (options.GitUrl is not { Length: > 0 })
        {
            if (!Directory.Exists(repo))
            {
                throw new ServerStartupException($"the repository folder '{repo}' does not exist. Pass the folder that holds environments/ (--repo, or Mlops:Repo).");
            }

            var file = new FolderDesiredStateSource(repo, options.Environment).EnvironmentFile;
            if (!File.Exists(file))
            {
                var known = Directory.Exists(Path.Combine(repo, "environments"))
                    ? Directory.EnumerateFiles(Path.Combine(repo, "environments"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList()
                    : [];
                throw new ServerStartupException($"the environment file '{file}' does not exist. "
                    + (known.Count == 0
                        ? "The folder has no environments/*.yaml: pass the repository that declares the environment (--repo, or Mlops:Repo)."
                        : $"Serve one of the environments declared there ({string.Join(", ", known)}) with --environment (or Mlops:Environment), or correct --repo."));
            }

            CheckReadable(file, "the environment file");
        }

        StoreLocation location;
        try
        {
            location = StoreLocation.Resolve(repo, options.Store);
        }
        catch (ArgumentException e)
        {
            throw new ServerStartupException($"the store is not valid: {e.Message}", e);
        }

        if (location is FolderStoreLocation folder)
        {
            CheckStoreFolder(folder.Path);
        }
    }

    private static void CheckReadable(string file, string what)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartupException($"{what} '{file}' cannot be read ({e.Message}). Give the server's user read access to it.", e);
        }
    }

    /// <summary>A missing store folder is fine (nothing is stored yet); one that is a file or cannot be listed is not.</summary>
    private static void CheckStoreFolder(string path)
    {
        if (File.Exists(path))
        {
            throw new ServerStartupException($"the store '{path}' is a file, not a folder. Pass the store's folder (or s3://BUCKET/PREFIX) with --store (or Mlops:Store), or set {StoreLocation.EnvironmentVariable}.");
        }

        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
            entries.MoveNext();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartupException($"the store folder '{path}' cannot be read ({e.Message}). Give the server's user read access to it, or pass another store with --store (or Mlops:Store).", e);
        }
    }

    /// <summary>The one-line reason for a failure people cause, or null for a defect.</summary>
    /// <param name="exception">What starting the host threw.</param>
    /// <param name="urls">The addresses the server was asked to listen on, for messages that need them.</param>
    public static string? Describe(Exception exception, string? urls = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var addresses = string.IsNullOrEmpty(urls) ? "the address" : urls;
        const string UseUrls = "Use an address of this machine and a free port with --urls, for example --urls http://127.0.0.1:8080.";
        switch (exception)
        {
            case ServerStartupException startup:
                return startup.Message;
            case OptionsValidationException options:
                return $"the configuration is not valid: {string.Join("; ", options.Failures.Select(f => f.TrimEnd('.')))}. Correct those Mlops settings.";
            case IOException { InnerException: AddressInUseException } inUse:
                return $"{Address(inUse.Message, addresses)} is already in use: another process listens there. Stop it, or listen elsewhere with --urls (for example --urls http://127.0.0.1:8081).";
            case IOException { InnerException: SocketException socket } bind:
                return $"cannot listen on {Address(bind.Message, addresses)}: {socket.Message}. {UseUrls}";
            case SocketException socket:
                return $"cannot listen on {addresses}: {socket.Message}. {UseUrls}";
            case FormatException format when format.Message.StartsWith("Invalid url", StringComparison.Ordinal):
                return $"{format.Message["Invalid url".Length..].TrimStart(':', ' ')} is not an address to listen on. Write it as http://HOST:PORT, for example --urls http://127.0.0.1:8080.";
            case ArgumentOutOfRangeException { ParamName: "port" }:
                return $"{addresses} has a port outside 0-65535. {UseUrls}";
            case InvalidOperationException https when https.Message.Contains("https://", StringComparison.Ordinal)
                || https.Message.StartsWith("Unable to configure HTTPS endpoint", StringComparison.Ordinal):
                return $"{addresses}: the server listens on http:// only. End TLS at a reverse proxy or load balancer in front of it, and pass an http:// address with --urls.";
            case InvalidOperationException config when config.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                return $"{config.Message.TrimEnd('.')}. Correct that setting.";
            case BundleStoreException store:
                return store.Message;
            case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                return Describe(aggregate.InnerExceptions[0], urls);
            default:
                return null;
        }
    }

    /// <summary>The address in Kestrel's "Failed to bind to address URL: reason." message.</summary>
    private static string Address(string message, string fallback)
    {
        const string Prefix = "Failed to bind to address ";
        if (!message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return fallback;
        }

        var end = message.LastIndexOf(": ", StringComparison.Ordinal);
        return end > Prefix.Length ? message[Prefix.Length..end] : fallback;
    }
}
