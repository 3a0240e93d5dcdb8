using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Mlops.Testing;

/// <summary>
/// A real git server over HTTP on 127.0.0.1 that requires basic authentication, as a git host does: the
/// repositories under <see cref="ProjectRoot"/> served by stock git's <c>git http-backend</c>, run as a CGI
/// program per request once the Authorization header holds the expected user and token (otherwise 401 with
/// <c>WWW-Authenticate: Basic</c>). Fetch and push both work (push because the CGI gets <c>REMOTE_USER</c>).
/// </summary>
public sealed class GitHttpServer : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(60);

    private readonly string _expected;
    private readonly string _user;
    private readonly LoopbackHttpListener _listener;
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>Starts serving the repositories under <paramref name="projectRoot"/>.</summary>
    /// <param name="projectRoot">The folder whose repositories (bare, or work trees) are served at <c>/git/NAME</c>.</param>
    /// <param name="user">The user name the server accepts.</param>
    /// <param name="token">The password (token) the server accepts.</param>
    public GitHttpServer(string projectRoot, string user, string token)
    {
        ProjectRoot = projectRoot;
        _user = user;
        _expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}"));
        _listener = new LoopbackHttpListener(HandleAsync);
    }

    /// <summary>The folder the served repositories are in.</summary>
    public string ProjectRoot { get; }

    /// <summary>One line per request: method, path and status (never a header's value), for a test to show or count.</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>
    /// The environment of an mlops process that talks to this server: <paramref name="token"/> in MLOPS_GIT_TOKEN, no
    /// GITHUB_TOKEN, and git's configuration out of reach, so neither the machine's tokens nor its credential helpers take part.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ClientEnvironment(string token) => new Dictionary<string, string?>
    {
        ["MLOPS_GIT_TOKEN"] = token,
        ["GITHUB_TOKEN"] = null,
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
        ["GIT_CONFIG_NOSYSTEM"] = "1",
    };

    /// <summary>The URL of the repository in the folder <paramref name="name"/> under <see cref="ProjectRoot"/>.</summary>
    public string UrlOf(string name) => $"{_listener.Url}/git/{name}";

    public void Dispose() => _listener.Dispose();

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        if (!path.StartsWith("/git/", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            _log.Enqueue($"{request.HttpMethod} {path} 404");
            return;
        }

        if (request.Headers["Authorization"] != _expected)
        {
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", "Basic realm=\"mlops-test\"");
            _log.Enqueue($"{request.HttpMethod} {path} 401");
            return;
        }

        try
        {
            var status = await RunBackendAsync(request, response, path["/git".Length..]);
            _log.Enqueue($"{request.HttpMethod} {path} {status}");
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or HttpListenerException)
        {
            // The listener keeps serving; the test sees the failure in the client's error and in the log.
            _log.Enqueue($"{request.HttpMethod} {path} failed: {e.Message}");
        }
    }

    private async Task<int> RunBackendAsync(HttpListenerRequest request, HttpListenerResponse response, string pathInfo)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("http-backend");
        start.Environment["GIT_PROJECT_ROOT"] = ProjectRoot;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = pathInfo;
        start.Environment["QUERY_STRING"] = request.Url!.Query.TrimStart('?');
        start.Environment["REQUEST_METHOD"] = request.HttpMethod;
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        start.Environment["REMOTE_USER"] = _user;
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        start.Environment["GATEWAY_INTERFACE"] = "CGI/1.1";
        // A chunked body has no length: http-backend then reads to the end of its input.
        if (request.Headers["Content-Length"] is not null)
        {
            start.Environment["CONTENT_LENGTH"] = request.ContentLength64.ToString(CultureInfo.InvariantCulture);
        }

        if (request.Headers["Content-Encoding"] is { } encoding)
        {
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Headers["Git-Protocol"] is { } protocol)
        {
            start.Environment["GIT_PROTOCOL"] = protocol;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git http-backend could not be started; install git.");
        using var timeout = new CancellationTokenSource(s_requestTimeout);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        // The body goes in while the answer comes out, so neither side waits on a full pipe.
        var input = Task.Run(async () =>
        {
            if (request.HasEntityBody)
            {
                await request.InputStream.CopyToAsync(process.StandardInput.BaseStream, timeout.Token);
            }

            process.StandardInput.Close();
        });

        var output = process.StandardOutput.BaseStream;
        var status = 200;
        foreach (var (name, value) in await ReadHeadersAsync(output, timeout.Token))
        {
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                status = int.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.AddHeader(name, value);
            }
        }

        response.StatusCode = status;
        response.SendChunked = true;
        await output.CopyToAsync(response.OutputStream, timeout.Token);
        await input;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await error;
        if (text.Length > 0)
        {
            _log.Enqueue("http-backend: " + text.Trim());
        }

        return status;
    }

    // CGI headers: "Name: value" lines, then an empty line; git writes them with CRLF.
    private static async Task<List<(string Name, string Value)>> ReadHeadersAsync(Stream output, CancellationToken cancellationToken)
    {
        var headers = new List<(string, string)>();
        var line = new List<byte>();
        var one = new byte[1];
        for (var read = 0; read < MaxHeaderBytes; read++)
        {
            if (await output.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            if (one[0] != '\n')
            {
                line.Add(one[0]);
                continue;
            }

            var text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            line.Clear();
            if (text.Length == 0)
            {
                return headers;
            }

            var colon = text.IndexOf(':', StringComparison.Ordinal);
            headers.Add((text[..colon].Trim(), text[(colon + 1)..].Trim()));
        }

        throw new InvalidOperationException("git http-backend wrote no end of its CGI headers.");
    }
}
