using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>mlops serve --git</c> as its own process, following a remote on the loopback git server that requires a token,
/// given a wrong one (in its environment and written into the URL): what it logs and what <c>/status</c> says.
/// </summary>
public sealed class ServeGitCredentialTests
{
    private const string Token = "right-token-51c0aa7e";
    private const string WrongToken = "wrong-token-e83b1f42";
    private const int Attempts = 300; // 300 x 300 ms: 90 s for the server to start and fetch once

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_RemoteRefusingTheToken_StatusSaysWhyInOneLineAndNoOutputHoldsTheToken()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        using var root = new TempDirectory("mlops-serve-http");
        Git.Run(root.Path, "clone", "-q", "--bare", repo.Path, "repo.git");
        using var server = new GitHttpServer(root.Path, "x-access-token", Token);
        var url = server.UrlOf("repo.git");
        var port = FreePort();
        using var serve = DotNetProcess.Start(typeof(MlopsApp).Assembly.Location,
            ["serve", "--environment", "staging", "--git", url.Replace("http://", $"http://x-access-token:{WrongToken}@", StringComparison.Ordinal),
             "--branch", "main", "--urls", $"http://127.0.0.1:{port}", "--poll-seconds", "3600", "--repo", repo.Path],
            repo.Path,
            GitHttpServer.ClientEnvironment(WrongToken));

        var status = await StatusMessageAsync(serve, port);

        Assert.StartsWith($"cannot fetch {url} main: origin ({url}) refused the credentials from MLOPS_GIT_TOKEN", status, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', status);
        Assert.Contains($"from {url} (main)", serve.Out + serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, serve.Out + serve.Error + status, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, serve.Out + serve.Error + status, StringComparison.Ordinal);
    }

    // Polls /status (bounded) until the first reconcile has said why it could not read the remote.
    private static async Task<string> StatusMessageAsync(DotNetProcess serve, int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 0; attempt < Attempts && !serve.Process.HasExited; attempt++)
        {
            try
            {
                var body = await client.GetStringAsync($"http://127.0.0.1:{port}/status", Ct);
                if (JsonDocument.Parse(body).RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
                {
                    Assert.DoesNotContain(WrongToken, body, StringComparison.Ordinal);
                    return text;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(300, Ct);
        }

        Assert.Fail($"mlops serve gave no status message within 90 s: {serve.Out} {serve.Error}");
        return "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
