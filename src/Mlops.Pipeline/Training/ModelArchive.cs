using System.IO.Compression;
using System.Security.Cryptography;

namespace Mlops.Pipeline.Training;

/// <summary>
/// Makes ML.NET's model zip reproducible: the same entries, in ordinal name order, each stamped with
/// one fixed time and compressed the same way. ML.NET writes the entries' contents deterministically
/// (with a fresh seeded context and no MapValue transform); only their timestamps change between runs.
/// </summary>
internal static class ModelArchive
{
    /// <summary>The time every entry carries: 1980-01-01, the earliest a zip can record.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Normalize(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = EntryTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
