using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mlops.Cli.Output;

/// <summary>Writes one indented JSON document to a text writer (the --json output of every command).</summary>
internal static class JsonOutput
{
    public static async Task WriteAsync(TextWriter writer, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(json);
        }

        await writer.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
    }
}
