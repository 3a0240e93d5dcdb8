using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Mlops.Runtime.Store;

namespace Mlops.Runtime.Tests.Store;

/// <summary>
/// A real S3 endpoint on loopback: <c>moto_server</c> (Python moto) on a free port of 127.0.0.1, started once for
/// a test class and killed with its process tree afterwards. Without moto_server on PATH every test that uses it
/// fails, saying so: the S3 store is never silently left untested.
/// </summary>
public sealed class MotoServerFixture : IAsyncLifetime
{
    public const string Bucket = "mlops-bundles";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly Queue<string> _output = new();
    private Process? _process;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>A raw client, for what the tests do behind the store's back.</summary>
    public AmazonS3Client Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var executable = FindOnPath("moto_server")
            ?? throw new InvalidOperationException(
                "moto_server is not on PATH, so the S3 bundle store cannot be tested. Install it with "
                + "'pip install \"moto[server]\"' (the build machines have it; .ci/run checks for it).");

        // A store opened from a location (as --store and MLOPS_STORE give it) takes its credentials from the
        // environment, as a user's does; moto accepts any. Real ones already set are left alone.
        foreach (var variable in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                Environment.SetEnvironmentVariable(variable, "test");
            }
        }

        var port = FreeLoopbackPort();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}.");
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        await WaitUntilAnsweringAsync().ConfigureAwait(false);

        Client = new AmazonS3Client(
            new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        using var timeout = new CancellationTokenSource(s_startTimeout);
        await Client.PutBucketAsync(Bucket, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>A store over the shared bucket under its own prefix, so tests do not see each other's objects.</summary>
    public S3BundleStore CreateStore(string prefix, string bucket = Bucket) => new(new S3BundleStoreOptions
    {
        Bucket = bucket,
        Prefix = prefix,
        Endpoint = Endpoint,
        AccessKeyId = "test",
        SecretAccessKey = "test",
    });

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            catch (OperationCanceledException)
            {
                // Killed but slow to be reaped: nothing more a test can do.
            }

            _process.Dispose();
        }
    }

    private async Task WaitUntilAnsweringAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException(
                    $"moto_server exited with code {_process.ExitCode} before answering on {Endpoint}. Its output:{Environment.NewLine}{Output()}");
            }

            try
            {
                using var response = await http.GetAsync(Endpoint).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (clock.Elapsed > s_startTimeout)
                {
                    throw new TimeoutException(
                        $"moto_server did not answer on {Endpoint} within {s_startTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{Output()}", e);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return string.Join(Environment.NewLine, _output);
        }
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
