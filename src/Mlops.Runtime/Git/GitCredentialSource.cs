using System.Diagnostics;

namespace Mlops.Runtime.Git;

/// <summary>
/// Where the user name and token for an HTTPS remote come from, asked only when the remote asks for them:
/// <c>MLOPS_GIT_TOKEN</c> (user <c>MLOPS_GIT_USER</c>, default <c>x-access-token</c>), else <c>GITHUB_TOKEN</c>
/// (as GitHub Actions provides it; user <c>x-access-token</c>), else the user's git credential helper
/// (<c>git credential fill</c>, never prompting, bounded in time), or credentials given in code.
/// </summary>
/// <remarks>
/// A token is sent only over https, or over plain http to a loopback address (a test server): a remote
/// that asks for one over plain http elsewhere gets none. Nothing here prints or logs a token; the
/// descriptions name the variable or the helper a token came from, never its value.
/// </remarks>
public sealed class GitCredentialSource
{
    /// <summary>The environment variable holding a token for the remote.</summary>
    public const string TokenVariable = "MLOPS_GIT_TOKEN";

    /// <summary>The environment variable holding the user name sent with <see cref="TokenVariable"/>.</summary>
    public const string UserVariable = "MLOPS_GIT_USER";

    /// <summary>The token GitHub Actions provides to a job (when the workflow maps it into the environment).</summary>
    public const string GitHubTokenVariable = "GITHUB_TOKEN";

    /// <summary>The user name sent with a token when none is set: what GitHub expects for app and Actions tokens, and what other hosts ignore.</summary>
    public const string DefaultUser = "x-access-token";

    /// <summary>What an error says to do when a remote asks for credentials.</summary>
    public const string WhatToSet =
        "set MLOPS_GIT_TOKEN to a token that may read and write the repository (GitHub: a fine-grained token with Contents read and write; in Actions, GITHUB_TOKEN is used when MLOPS_GIT_TOKEN is unset), "
        + "or configure a git credential helper (git config credential.helper)";

    // Variables the credential helper's git needs to find the same configuration the user's git finds.
    private static readonly string[] s_helperVariables = ["HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "PATH"];

    private readonly Func<string, string?>? _variable;
    private readonly GitCredentials? _given;

    private GitCredentialSource(Func<string, string?>? variable, GitCredentials? given)
    {
        _variable = variable;
        _given = given;
    }

    /// <summary>How long the credential helper may take before it counts as having no answer.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan HelperTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tokens from this process's environment variables, else the credential helper.</summary>
    public static GitCredentialSource FromEnvironment() => new(Environment.GetEnvironmentVariable, null);

    /// <summary>
    /// Tokens from the variables <paramref name="variable"/> returns, else the credential helper, run with
    /// <c>HOME</c>, <c>PATH</c> and git's configuration variables as <paramref name="variable"/> gives them.
    /// </summary>
    public static GitCredentialSource FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return new(variable, null);
    }

    /// <summary>Always these credentials (a caller that holds its own).</summary>
    public static GitCredentialSource Of(GitCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new(null, credentials);
    }

    /// <summary>The credentials for <paramref name="url"/> and where they came from; null credentials when there are none.</summary>
    /// <param name="url">The remote's URL, as the remote asks for credentials; any user name or password in it is ignored.</param>
    internal GitCredentialLookup Find(string url)
    {
        if (_given is not null)
        {
            return new(_given, "the credentials given");
        }

        if (Value(TokenVariable) is { } token)
        {
            return new(new GitCredentials(Value(UserVariable) ?? DefaultUser, token), TokenVariable);
        }

        if (Value(GitHubTokenVariable) is { } gitHubToken)
        {
            return new(new GitCredentials(DefaultUser, gitHubToken), GitHubTokenVariable);
        }

        return new(FromHelper(url), "the git credential helper", FromHelper: true);
    }

    /// <summary>Whether a token may be sent to <paramref name="url"/>: https, or http to a loopback address.</summary>
    internal static bool MaySendTo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    private string? Value(string name) => _variable?.Invoke(name) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Tells the credential helper how credentials it gave fared, as git does after a request: <c>approve</c> when
    /// the remote took them (a caching helper keeps them), <c>reject</c> when it refused them (the helper forgets them).
    /// </summary>
    internal void Report(string url, GitCredentials credentials, bool accepted) =>
        RunHelper(accepted ? "approve" : "reject",
            $"url={GitRemoteUrl.WithoutUserInfo(url)}\nusername={credentials.Username}\npassword={credentials.Password}\n\n");

    private GitCredentials? FromHelper(string url) =>
        RunHelper("fill", $"url={GitRemoteUrl.WithoutUserInfo(url)}\n\n") is { } output ? Parse(output) : null;

    // `git credential ACTION` with INPUT on its standard input; its output, or null when it failed or took longer than
    // HelperTimeout. libgit2 asks for credentials from inside a synchronous callback, so this runs synchronously.
    private string? RunHelper(string action, string input)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No prompt of any kind: a server or CI job has no one to answer it, and an empty askpass turns git's off.
        foreach (var argument in new[] { "-c", "core.askPass=", "credential", action })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in s_helperVariables)
        {
            if (_variable?.Invoke(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_ASKPASS"] = "";
        start.Environment["SSH_ASKPASS"] = "";

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync(); // drained, so a chatty helper cannot block on a full pipe
            process.StandardInput.Write(input);
            process.StandardInput.Close();
            if (!process.WaitForExit(HelperTimeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null; // no git on PATH, or it went away: there is no helper to ask
        }
    }

    private static GitCredentials? Parse(string output)
    {
        string? user = null;
        string? password = null;
        foreach (var line in output.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.StartsWith("username=", StringComparison.Ordinal))
            {
                user = text["username=".Length..];
            }
            else if (text.StartsWith("password=", StringComparison.Ordinal))
            {
                password = text["password=".Length..];
            }
        }

        return password is { Length: > 0 } ? new GitCredentials(user is { Length: > 0 } ? user : DefaultUser, password) : null;
    }
}

/// <summary>Credentials found for a remote (null when none were), and where they came from, for messages.</summary>
/// <param name="Credentials">The user name and token; null when nothing provided any.</param>
/// <param name="Origin">Where they came from: a variable's name, the credential helper, or the caller.</param>
/// <param name="FromHelper">Whether the credential helper gave them (it is told how they fared).</param>
internal sealed record GitCredentialLookup(GitCredentials? Credentials, string Origin, bool FromHelper = false);

/// <summary>Remote URLs as output, logs and messages may show them (never with credentials), and the kinds libgit2 cannot reach.</summary>
public static class GitRemoteUrl
{
    /// <summary>
    /// The URL without credentials in it: an http(s) URL loses its user info (<c>https://TOKEN@host/x</c> becomes
    /// <c>https://host/x</c>), another scheme a <c>user:password</c> pair (<c>ssh://git@host/x</c> keeps its user,
    /// which is no secret); other text is unchanged.
    /// </summary>
    public static string WithoutUserInfo(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0 || uri.IsFile
            || (uri.Scheme is not ("http" or "https") && !uri.UserInfo.Contains(':', StringComparison.Ordinal)))
        {
            return url;
        }

        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        return builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
    }

    /// <summary><c>origin (https://host/x)</c>: a remote's name and its URL without credentials, as messages name it.</summary>
    public static string Describe(string remote, string url) => $"{remote} ({WithoutUserInfo(url)})";

    /// <summary>Replaces every occurrence of <paramref name="url"/> in <paramref name="text"/> with its form without credentials.</summary>
    public static string Scrub(string text, string url)
    {
        var safe = WithoutUserInfo(url);
        return safe == url ? text : text.Replace(url, safe, StringComparison.Ordinal);
    }

    /// <summary>Whether the URL is an SSH remote (<c>ssh://</c>, or scp-like <c>git@host:path</c>), which libgit2 as shipped with LibGit2Sharp 0.32 cannot reach.</summary>
    public static bool IsSsh(string url) =>
        url.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("git+ssh://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("ssh+git://", StringComparison.OrdinalIgnoreCase)
        || ScpLike(url) is not null;

    /// <summary>The https URL an SSH remote most likely has (<c>git@github.com:org/repo.git</c> gives <c>https://github.com/org/repo.git</c>); null when it cannot tell.</summary>
    public static string? HttpsFor(string url)
    {
        if (ScpLike(url) is { } scp)
        {
            return $"https://{scp.Host}/{scp.Path.TrimStart('/')}";
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme.Contains("ssh", StringComparison.OrdinalIgnoreCase)
            ? $"https://{uri.Host}{uri.AbsolutePath}"
            : null;
    }

    // user@host:path with no scheme, as git reads it; a Windows path (C:\x) has no '@' before its colon.
    private static (string Host, string Path)? ScpLike(string url)
    {
        if (url.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        var at = url.IndexOf('@', StringComparison.Ordinal);
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return at > 0 && colon > at + 1 && (slash < 0 || slash > colon) ? (url[(at + 1)..colon], url[(colon + 1)..]) : null;
    }
}

/// <summary>What happened when a remote asked for credentials during one fetch or push.</summary>
internal sealed class GitAuthenticationAttempt(GitCredentialSource source)
{
    private int _asked;
    private (string Url, GitCredentials Credentials)? _fromHelper;

    /// <summary>Where the credentials sent came from; null when the remote never asked.</summary>
    public string? Origin { get; private set; }

    /// <summary>Whether the remote asked and nothing provided credentials (or they may not be sent there).</summary>
    public bool Missing { get; private set; }

    /// <summary>Whether the remote refused the credentials sent.</summary>
    public bool Refused { get; private set; }

    /// <summary>Whether the remote asked over plain http to a host that is not loopback, so no token was sent.</summary>
    public bool Insecure { get; private set; }

    /// <summary>The credentials to send for <paramref name="url"/>, looked up on the remote's first request for them.</summary>
    /// <exception cref="InvalidOperationException">
    /// None are to be sent (none found, or plain http to another host), or the remote asks again after refusing
    /// what was sent; the reason is recorded for <see cref="Message"/>, and the exception ends libgit2's retries.
    /// </exception>
    public GitCredentials? Credentials(string url)
    {
        // libgit2 asks again after a 401 to what it sent: the first answer was refused, and asking the same source again gives the same.
        if (Interlocked.Increment(ref _asked) > 1)
        {
            Refused = Origin is not null && !Missing;
            throw new InvalidOperationException("the remote refused the credentials");
        }

        if (!GitCredentialSource.MaySendTo(url))
        {
            Insecure = true;
            Missing = true;
            throw new InvalidOperationException("no credentials are sent over plain http");
        }

        var found = source.Find(url);
        Origin = found.Origin;
        Missing = found.Credentials is null;
        if (found.FromHelper && found.Credentials is { } credentials)
        {
            _fromHelper = (url, credentials);
        }

        return found.Credentials ?? throw new InvalidOperationException("no credentials are set");
    }

    /// <summary>Tells the credential helper, when it gave the credentials, whether the remote took them.</summary>
    /// <param name="succeeded">Whether the fetch or push went through.</param>
    public void Report(bool succeeded)
    {
        if (_fromHelper is { } helper && (succeeded || Refused))
        {
            source.Report(helper.Url, helper.Credentials, accepted: succeeded);
        }
    }

    /// <summary>
    /// The one-line message for a failed fetch or push when authentication is why, naming the remote and its URL
    /// without credentials (no final period, so callers can go on); null when it is not.
    /// </summary>
    /// <param name="push">Whether the remote was to be written to (a push) rather than read.</param>
    /// <param name="remote">The remote's name.</param>
    /// <param name="url">The remote's URL.</param>
    public string? Message(bool push, string remote, string url)
    {
        var where = GitRemoteUrl.Describe(remote, url);
        if (Insecure)
        {
            return $"{where} asks for credentials over plain http, and mlops sends a token only over https (or http to a loopback address): use the remote's https URL";
        }

        if (Missing)
        {
            return $"{where} asks for credentials and none are set: {WhatToSetText}";
        }

        return Refused
            ? $"{where} refused the credentials from {Origin}: check that the token is valid, not expired and may {(push ? "write to" : "read")} the repository, or {WhatToSetText}"
            : null;
    }

    private static string WhatToSetText => GitCredentialSource.WhatToSet;
}
