using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// A PostgreSQL run store's location: a <c>postgresql://user@host:port/database?param=value</c> URI (libpq's
/// form) or an Npgsql connection string (<c>Host=...;Database=...;Username=...</c>). The password should come
/// from <c>PGPASSWORD</c> or a passfile (<c>~/.pgpass</c>, <c>PGPASSFILE</c>), which Npgsql reads itself, so that
/// no committed file has to hold it; one given in the location is used but never shown.
/// </summary>
internal static class PostgresLocation
{
    private static readonly string[] s_schemes = ["postgresql://", "postgres://"];

    /// <summary>libpq's URI parameters and the Npgsql keywords they mean; other names are passed to Npgsql as keywords.</summary>
    private static readonly Dictionary<string, string> s_uriParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sslmode"] = "SSL Mode",
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["search_path"] = "Search Path",
        ["target_session_attrs"] = "Target Session Attributes",
    };

    /// <summary>Whether <paramref name="text"/> is a PostgreSQL URI or an Npgsql connection string (it names a Host or Server).</summary>
    public static bool Matches(string text)
    {
        var trimmed = text.Trim();
        if (s_schemes.Any(s => trimmed.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (!trimmed.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var parsed = new DbConnectionStringBuilder { ConnectionString = trimmed };
            return parsed.ContainsKey("Host") || parsed.ContainsKey("Server");
        }
        catch (ArgumentException)
        {
            return false; // a file name with '=' in it
        }
    }

    /// <summary>The Npgsql connection settings <paramref name="text"/> names, with mlops' defaults (application name <c>mlops</c>).</summary>
    /// <exception cref="TrackingStoreException">The URI or connection string cannot be read; the message never repeats a password.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        var trimmed = text.Trim();
        var builder = s_schemes.Any(s => trimmed.StartsWith(s, StringComparison.OrdinalIgnoreCase)) ? FromUri(trimmed) : FromConnectionString(trimmed);
        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw Invalid("it names no host. Give one, as in postgresql://mlops@db.example:5432/mlops or Host=db.example;Database=mlops;Username=mlops");
        }

        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "mlops"; // so a DBA sees who holds a connection or a lock
        }

        return builder;
    }

    /// <summary><c>postgresql://user@host:port/database</c> (and the schema when one is set), never the password.</summary>
    public static string Display(NpgsqlConnectionStringBuilder builder)
    {
        var user = string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@";
        var host = builder.Host!.Contains(':', StringComparison.Ordinal) ? $"[{builder.Host}]" : builder.Host;
        var database = builder.Database ?? builder.Username ?? "";
        var schema = string.IsNullOrEmpty(builder.SearchPath) ? "" : "?search_path=" + Uri.EscapeDataString(builder.SearchPath);
        return string.Create(CultureInfo.InvariantCulture, $"postgresql://{user}{host}:{builder.Port}/{Uri.EscapeDataString(database)}{schema}");
    }

    /// <summary><see cref="Display(NpgsqlConnectionStringBuilder)"/> of <paramref name="text"/>, or a placeholder when it cannot be read.</summary>
    public static string TryDisplay(string text)
    {
        try
        {
            return Display(Parse(text));
        }
        catch (TrackingStoreException)
        {
            return "a PostgreSQL database (its location could not be read)";
        }
    }

    private static NpgsqlConnectionStringBuilder FromConnectionString(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message names the keyword, never a value, so the password stays out of it.
            throw Invalid($"{e.Message.TrimEnd('.')}. See https://www.npgsql.org/doc/connection-string-parameters.html for the keywords", e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw Invalid("it is not a URI of the form postgresql://user@host:port/database (several hosts in one URI are not supported; use an Npgsql connection string for them)");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            try
            {
                builder[s_uriParameters.GetValueOrDefault(name, name)] = name.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? value.Replace("-", "", StringComparison.Ordinal) : value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw Invalid($"its parameter '{name}' is not understood ({e.Message.TrimEnd('.')}). Use libpq's sslmode, application_name, connect_timeout, options or an Npgsql keyword", e);
            }
        }

        return builder;
    }

    private static TrackingStoreException Invalid(string why, Exception? inner = null) =>
        new($"the PostgreSQL run store location in --tracking-db or {TrackingLocation.EnvironmentVariable} cannot be read: {why}.", inner);
}
